// The endpoint list: filters in the URL, one page of 50 from the server, cursor paging.
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, cachedApis, type ApisAnswer, type EndpointSummary } from '../api';
import { Empty, ErrorBanner, ErrorRate, Loading, MethodBadge, Num, numColumn, SourceBadge, StatusBar, TableHead, Tags, TimeAgo } from '../components/common';
import { endpointHref } from '../components/EndpointMiniList';
import { exact, full, label, ms } from '../format';
import { useDebounced, useFetch, useTitle } from '../hooks';

export const PAGE_SIZE = 50;

/** The list's URL parameters, in the order they are written. */
const FILTERS = ['q', 'api', 'stage', 'method', 'status', 'auth', 'tag', 'sensitive', 'source', 'new_since', 'unseen_since', 'sort'] as const;
type FilterName = (typeof FILTERS)[number];
type State = Partial<Record<FilterName | 'cursor', string>>;

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY', 'WS'];
const STATUS = ['2xx', '3xx', '4xx', '5xx'];
const AUTH: Array<[string, string]> = [
  ['authenticated', 'authenticated'],
  ['unauthenticated', 'unauthenticated'],
  ['unknown', 'unknown (no headers logged)'],
  ['none', 'any request without credential'],
  ['bearer', 'bearer'],
  ['basic', 'basic'],
  ['sigv4', 'SigV4'],
  ['api_key', 'API key'],
  ['authorizer', 'authorizer'],
  ['iam', 'IAM'],
];
const TAGS = ['email', 'phone', 'card_number', 'iban', 'national_id', 'jwt', 'aws_access_key', 'aws_secret_key', 'private_key', 'ip_address', 'credential'];
const SOURCES = ['gateway', 'inferred', 'concrete'];
const SORTS: Array<[string, string]> = [
  ['path', 'Path'],
  ['requests', 'Most requests'],
  ['last_seen', 'Last seen'],
  ['first_seen', 'First seen (newest)'],
];

function readState(search: string): State {
  const p = new URLSearchParams(search);
  const s: State = {};
  for (const k of [...FILTERS, 'cursor'] as const) {
    const v = p.get(k);
    if (v) s[k] = v;
  }
  return s;
}

function writeState(s: State): string {
  const p = new URLSearchParams();
  for (const k of [...FILTERS, 'cursor'] as const) if (s[k]) p.set(k, s[k]!);
  const q = p.toString();
  return q ? `/endpoints?${q}` : '/endpoints';
}

// Cursor pages only go forward; the way back is remembered per tab: cursor -> previous cursor.
const TRAIL_KEY = 'gatescope.cursor-trail';
interface TrailEntry {
  prev: string;
  page: number;
}
function trail(): Record<string, TrailEntry> {
  try {
    return JSON.parse(sessionStorage.getItem(TRAIL_KEY) ?? '{}') as Record<string, TrailEntry>;
  } catch {
    return {};
  }
}
function remember(cursor: string, entry: TrailEntry): void {
  const t = trail();
  t[cursor] = entry;
  const keys = Object.keys(t);
  if (keys.length > 500) for (const k of keys.slice(0, keys.length - 500)) delete t[k];
  try {
    sessionStorage.setItem(TRAIL_KEY, JSON.stringify(t));
  } catch {
    // Storage full: paging back falls to the first page.
  }
}

function Select({
  id,
  labelText,
  value,
  options,
  onChange,
  any = 'Any',
}: {
  id: FilterName | 'sort';
  labelText: string;
  value: string | undefined;
  options: Array<[string, string]>;
  onChange: (v: string) => void;
  any?: string | null;
}) {
  const known = !value || options.some(([v]) => v === value);
  return (
    <div class="field">
      <label for={`f-${id}`}>{labelText}</label>
      <select
        id={`f-${id}`}
        data-testid={id === 'sort' ? 'sort' : `filter-${id}`}
        value={value ?? ''}
        onChange={(e) => onChange((e.target as HTMLSelectElement).value)}
      >
        {any !== null && <option value="">{any}</option>}
        {!known && <option value={value}>{value}</option>}
        {options.map(([v, l]) => (
          <option value={v} key={v}>
            {l}
          </option>
        ))}
      </select>
    </div>
  );
}

export function EndpointsPage() {
  const { url, route } = useLocation();
  const search = url.includes('?') ? url.slice(url.indexOf('?')) : '';
  const state = useMemo(() => readState(search), [search]);
  useTitle('Endpoints');

  // The search box: typed text is debounced before it reaches the URL (and the server).
  const [text, setText] = useState(state.q ?? '');
  const typed = useRef(false);
  const debounced = useDebounced(text, 200);
  useEffect(() => {
    if (!typed.current) return;
    typed.current = false;
    if ((debounced || undefined) === state.q) return;
    route(writeState({ ...state, q: debounced || undefined, cursor: undefined }), !!state.q && !!debounced);
  }, [debounced]);
  useEffect(() => {
    if (!typed.current) setText(state.q ?? '');
  }, [state.q]);

  const set = (k: FilterName, v: string | undefined) => {
    const next: State = { ...state, [k]: v || undefined, cursor: undefined };
    if (k === 'api') next.stage = undefined;
    route(writeState(next));
  };

  const serverQuery = useMemo(() => {
    const p: Record<string, string | undefined> = { limit: String(PAGE_SIZE) };
    for (const k of [...FILTERS, 'cursor'] as const) p[k] = state[k];
    return p;
  }, [state]);
  const key = JSON.stringify(serverQuery);
  const { data, error, loading } = useFetch(key, (signal) => api.endpoints(serverQuery, signal));

  const [apis, setApis] = useState<ApisAnswer | null>(null);
  useEffect(() => {
    cachedApis().then(setApis, () => setApis({ apis: [], unattributed: 0 }));
  }, []);
  const apiOptions = useMemo(() => {
    const m = new Map<string, string>();
    for (const a of apis?.apis ?? []) m.set(a.api_url_id, a.api_id === a.api_url_id ? a.api_id : `${a.api_id} (${a.api_url_id})`);
    return [...m].sort((a, b) => a[1].localeCompare(b[1]));
  }, [apis]);
  const stageOptions = useMemo(() => {
    const s = new Set<string>();
    for (const a of apis?.apis ?? []) if (a.stage && (!state.api || a.api_url_id === state.api || a.api_id === state.api)) s.add(a.stage);
    return [...s].sort().map((v): [string, string] => [v, v]);
  }, [apis, state.api]);

  const cursor = state.cursor;
  const here = cursor ? trail()[cursor] : undefined;
  const page = cursor ? (here?.page ?? null) : 1;
  const first = page === null ? null : (page - 1) * PAGE_SIZE + 1;

  const goNext = () => {
    if (!data?.next_cursor) return;
    remember(data.next_cursor, { prev: cursor ?? '', page: (page ?? 1) + 1 });
    route(writeState({ ...state, cursor: data.next_cursor }));
  };
  const goPrev = () => {
    if (!cursor) return;
    route(writeState({ ...state, cursor: here?.prev || undefined }));
  };
  const filtered = FILTERS.some((k) => k !== 'sort' && state[k]);

  return (
    <div class="page" data-testid="endpoint-list">
      <div class="page-head">
        <h1>Endpoints</h1>
        <span class="muted" data-testid="total-count" data-total={data?.total ?? ''} aria-live="polite">
          {data ? `${full(data.total)} ${data.total === 1 ? 'endpoint' : 'endpoints'}${filtered ? ' match' : ''}` : '…'}
        </span>
      </div>

      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <div class="field field-grow">
          <label for="f-q">Search paths</label>
          <input
            id="f-q"
            type="search"
            placeholder="/users, orders/{order}, …"
            data-testid="endpoint-search"
            value={text}
            autoComplete="off"
            spellcheck={false}
            onInput={(e) => {
              typed.current = true;
              setText((e.target as HTMLInputElement).value);
            }}
          />
        </div>
        <Select id="api" labelText="API" value={state.api} options={apiOptions} onChange={(v) => set('api', v)} />
        <Select id="stage" labelText="Stage" value={state.stage} options={stageOptions} onChange={(v) => set('stage', v)} />
        <Select id="method" labelText="Method" value={state.method} options={METHODS.map((m) => [m, m])} onChange={(v) => set('method', v)} />
        <Select
          id="status"
          labelText="Status seen"
          value={state.status}
          options={STATUS.map((m) => [m, m])}
          onChange={(v) => set('status', v)}
        />
        <Select
          id="auth"
          labelText="Auth seen"
          value={state.auth}
          options={AUTH}
          onChange={(v) => set('auth', v)}
        />
        <Select id="tag" labelText="Sensitive data" value={state.tag} options={TAGS.map((m) => [m, label(m)])} onChange={(v) => set('tag', v)} />
        <Select
          id="source"
          labelText="Template"
          value={state.source}
          options={SOURCES.map((m) => [m, m])}
          onChange={(v) => set('source', v)}
        />
        <Select id="sort" labelText="Sort" value={state.sort ?? 'path'} options={SORTS} any={null} onChange={(v) => set('sort', v === 'path' ? undefined : v)} />
        <div class="field field-check">
          <input
            id="f-sensitive"
            type="checkbox"
            data-testid="filter-sensitive"
            checked={state.sensitive === 'true'}
            onChange={(e) => set('sensitive', (e.target as HTMLInputElement).checked ? 'true' : undefined)}
          />
          <label for="f-sensitive">Any sensitive data</label>
        </div>
      </form>

      {(state.new_since || state.unseen_since || filtered) && (
        <div class="chips" aria-label="Active filters">
          {state.new_since && (
            <Chip onRemove={() => set('new_since', undefined)} title={exact(state.new_since)}>
              first seen since {exact(state.new_since).slice(0, 16)}
            </Chip>
          )}
          {state.unseen_since && (
            <Chip onRemove={() => set('unseen_since', undefined)} title={exact(state.unseen_since)}>
              not seen since {exact(state.unseen_since).slice(0, 16)}
            </Chip>
          )}
          {filtered && (
            <button type="button" class="linkish" data-testid="clear-filters" onClick={() => { setText(''); route('/endpoints'); }}>
              Clear all filters
            </button>
          )}
        </div>
      )}

      {error && <ErrorBanner error={error} title="Could not list endpoints." />}
      {!data && !error && <Loading what="Loading endpoints" />}
      {data && (
        <div class={`table-wrap ${loading ? 'is-loading' : ''}`} aria-busy={loading}>
          {data.endpoints.length === 0 ? (
            <Empty testid="empty-state">
              {cursor ? (
                <>No more endpoints on this page. <a href={writeState({ ...state, cursor: undefined })}>Back to the first page</a>.</>
              ) : filtered ? (
                <>
                  No endpoint matches these filters.{' '}
                  <button type="button" class="linkish" onClick={() => { setText(''); route('/endpoints'); }}>
                    Clear filters
                  </button>
                </>
              ) : (
                <>The inventory has no endpoints yet: send logs to the server to discover them.</>
              )}
            </Empty>
          ) : (
            <EndpointTable rows={data.endpoints} />
          )}
          <div class="pager">
            <span class="muted small">
              {data.endpoints.length > 0 &&
                (first !== null
                  ? `${full(first)}–${full(first + data.endpoints.length - 1)} of ${full(data.total)}`
                  : `${full(data.endpoints.length)} of ${full(data.total)}`)}
            </span>
            <button type="button" class="btn" data-testid="prev-page" disabled={!cursor} onClick={goPrev}>
              ‹ Previous
            </button>
            <button type="button" class="btn" data-testid="next-page" disabled={!data.next_cursor} onClick={goNext}>
              Next ›
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

function AuthCell({ e }: { e: EndpointSummary }) {
  const c = e.auth_coverage;
  const schemes = e.auth.filter((s) => s !== 'none');
  if (c === 'unknown' || (!c && !e.auth.length)) return <span class="muted" title="No request showed its headers (access logs only)">unknown</span>;
  return (
    <span class="tags" title={`Schemes seen: ${e.auth.join(', ') || 'none'}`}>
      {c === 'unauthenticated' && <span class="tag tag-warn">no auth</span>}
      {schemes.map((s) => (
        <span class="tag tag-auth" key={s}>
          {label(s)}
        </span>
      ))}
      {c === 'authenticated' && e.auth.includes('none') && <span class="tag" title="Some requests carried no credential">+ none</span>}
      {!c && e.auth.includes('none') && <span class="tag tag-warn">none</span>}
    </span>
  );
}

function Chip({ children, onRemove, title }: { children: ComponentChildren; onRemove: () => void; title?: string }) {
  return (
    <span class="chip" title={title}>
      {children}
      <button type="button" aria-label="Remove filter" onClick={onRemove}>
        ×
      </button>
    </span>
  );
}

function EndpointTable({ rows }: { rows: EndpointSummary[] }) {
  return (
    <table class="table endpoints" data-testid="endpoint-table">
      <TableHead
        columns={[
          'Endpoint',
          'API / stage',
          numColumn('Requests'),
          'Status',
          numColumn('4xx / 5xx', '4xx share / 5xx share'),
          numColumn('p50 / p95', 'Response latency, 50th / 95th percentile'),
          'Auth',
          'Sensitive data',
          'Last seen',
        ]}
      />
      <tbody>
        {rows.map((e) => (
          <tr key={e.id} data-testid="endpoint-row" data-endpoint-id={e.id}>
            <td class="ep-cell">
              <MethodBadge method={e.method} />{' '}
              <a
                href={endpointHref(e.id)}
                class="path"
                data-testid="endpoint-link"
                title={`${e.method} ${e.path}\ntemplate: ${label(e.template_source)}${e.route ? `\nroute: ${e.route}` : ''}`}
              >
                {e.path}
              </a>
              {e.source === 'inferred' && (
                <>
                  {' '}
                  <SourceBadge source={e.source} />
                </>
              )}
            </td>
            <td class="nowrap">
              <a href={`/apis/${encodeURIComponent(e.api_url_id)}`}>{e.api_id}</a>
              {e.stage && <span class="muted"> / {e.stage}</span>}
            </td>
            <td class="num">
              <Num n={e.requests} />
            </td>
            <td>
              <StatusBar classes={e.status_classes} />
            </td>
            <td class="num nowrap">
              <ErrorRate classes={e.status_classes} />
            </td>
            <td class="num nowrap">
              {e.latency_ms ? (
                <span title={`p50 ${ms(e.latency_ms.p50)} · p95 ${ms(e.latency_ms.p95)} · p99 ${ms(e.latency_ms.p99)}`}>
                  {ms(e.latency_ms.p50)} / {ms(e.latency_ms.p95)}
                </span>
              ) : (
                <span class="muted">–</span>
              )}
            </td>
            <td>
              <AuthCell e={e} />
            </td>
            <td>
              <Tags tags={e.tags} />
            </td>
            <td class="nowrap">
              <TimeAgo t={e.last_seen} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
