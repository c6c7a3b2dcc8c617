// One endpoint in full: what it is, its traffic, parameters (with the evidence for inferred
// path parameters), bodies with their schemas, auth and sensitive data.
import { Fragment, type ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, type BodyStats, type EndpointDetail, type FieldStats, type InferredParameter, type LatencyStats } from '../api';
import {
  AuthBadges,
  CountTag,
  ErrorBanner,
  KeyValues,
  Loading,
  MethodBadge,
  numColumn,
  Section,
  SourceBadge,
  StatusCode,
  TableHead,
  Tags,
  TimeAgo,
} from '../components/common';
import { SchemaTree } from '../components/SchemaTree';
import { LatencyPanel, TrafficPanel } from '../components/TrafficChart';
import { exact, full, label, ms, pct, plural } from '../format';
import { useFetch, useTitle } from '../hooks';
import { endpointsHref } from './Overview';

const RULES: Record<string, string> = {
  identifier_class:
    'The values at this position look like identifiers (integers, UUIDs, hashes, dates, emails, mixed letters and digits, random tokens), so they fold into one parameter.',
  value_words:
    'Enough distinct words that are not vocabulary (names, codes, slugs of several words) were seen at this position.',
  high_cardinality: 'Many different words share one shape at this position (same methods, same sub-paths).',
  hint: 'A template hint in the discovery configuration makes this position a parameter.',
};

export function EndpointDetailPage({ id }: { id: string }) {
  const { data: e, error } = useFetch(`endpoint:${id}`, (signal) => api.endpoint(id, signal));
  useTitle(e ? `${e.method} ${e.path}` : 'Endpoint');

  if (error) {
    return (
      <div class="page" data-testid="endpoint-detail">
        <Breadcrumb />
        <ErrorBanner error={error} title={error.status === 404 ? 'No such endpoint.' : 'Could not load this endpoint.'} />
        {error.status === 404 && (
          <p class="muted">
            It may have been re-templated since the link was made. <a href="/endpoints">Search the endpoint list</a>.
          </p>
        )}
      </div>
    );
  }
  if (!e || e.id !== id) {
    return (
      <div class="page" data-testid="endpoint-detail">
        <Breadcrumb />
        <Loading what="Loading the endpoint" />
      </div>
    );
  }

  const total = Object.values(e.status_codes).reduce((a, b) => a + b, 0);
  const cls: Record<string, number> = {};
  for (const [code, n] of Object.entries(e.status_codes)) {
    const k = /^[1-5]\d\d$/.test(code) ? `${code[0]}xx` : 'unknown';
    cls[k] = (cls[k] ?? 0) + n;
  }

  return (
    <div class="page" data-testid="endpoint-detail">
      <Breadcrumb e={e} />
      <div class="detail-head">
        <h1 class="endpoint-title" data-testid="endpoint-title">
          <MethodBadge method={e.method} /> <span class="path">{e.path}</span>
        </h1>
        <div class="detail-meta">
          <span data-testid="template-source" data-source={e.source} data-template-source={e.template_source}>
            <SourceBadge source={e.source} templateSource={e.template_source} />
          </span>
          {e.route && (
            <span class="muted" title="The API Gateway route that served these requests">
              route <code>{e.route}</code>
            </span>
          )}
          <span class="muted">
            API <a href={`/apis/${encodeURIComponent(e.api_url_id)}`}>{e.api_id}</a>
            {e.stage && (
              <>
                {' '}
                stage <a href={endpointsHref({ api: e.api_url_id, stage: e.stage })}>{e.stage}</a>
              </>
            )}
          </span>
          <span class="muted small">id {e.id}</span>
        </div>
      </div>

      <div class="stats stats-detail">
        <div class="stat" data-testid="stat-requests">
          <span class="stat-title">Requests</span>
          <span class="stat-value" title={full(e.requests)}>
            {full(e.requests)}
          </span>
          <span class="stat-sub">
            <span class={cls['4xx'] ? 'c4xx' : ''}>4xx {pct(cls['4xx'] ?? 0, total)}</span> ·{' '}
            <span class={cls['5xx'] ? 'c5xx' : ''}>5xx {pct(cls['5xx'] ?? 0, total)}</span>
          </span>
        </div>
        <TimeStat title="First seen" t={e.first_seen} />
        <TimeStat title="Last seen" t={e.last_seen} />
        <div class="stat stat-wide">
          <span class="stat-title">Status codes</span>
          <div class="codes">
            {Object.entries(e.status_codes).map(([code, n]) => (
              <span class="codecount" key={code} title={`${full(n)} (${pct(n, total)})`}>
                <StatusCode code={code} /> <b>{full(n)}</b> <span class="muted">{pct(n, total)}</span>
              </span>
            ))}
            {!total && <span class="muted">none logged</span>}
          </div>
        </div>
        <div class="stat stat-wide">
          <span class="stat-title">Latency</span>
          <LatencyTable l={e.latency_ms} />
        </div>
      </div>

      <div class="grid-2">
        <TrafficPanel traffic={e.traffic} note="No traffic history kept for this endpoint (its requests were stored before the server kept hourly buckets)." />
        <LatencyPanel traffic={e.traffic} />
      </div>

      <Parameters e={e} />
      <Bodies e={e} />

      <div class="grid-2">
        <AuthSection e={e} />
        <Section title="Sensitive data" testid="tags">
          <Tags tags={e.tags} />
          <SensitiveWhere e={e} />
        </Section>
      </div>

      <Section title="How it was seen">
        <KeyValues
          items={[
            ['Log sources', <Counts m={e.log_sources} />],
            ['Errors', <Counts m={e.errors} empty="none" />],
            ['Requests logged in full', e.content ? `${full(e.content.coverage_full)} of ${full(e.content.requests_logged)} execution-logged` : 'access logs only'],
            ['Response headers', e.content ? <Counts m={e.content.response_headers} empty="none logged" /> : <span class="muted">not logged</span>],
          ]}
        />
      </Section>
    </div>
  );
}

/** A stat card for a moment: how long ago, and the exact time below. */
function TimeStat({ title, t }: { title: string; t: string | null }) {
  return (
    <div class="stat">
      <span class="stat-title">{title}</span>
      <span class="stat-value stat-value-sm">
        <TimeAgo t={t} />
      </span>
      <span class="stat-sub">{exact(t)}</span>
    </div>
  );
}

function Breadcrumb({ e }: { e?: EndpointDetail }) {
  return (
    <nav class="crumbs" aria-label="Breadcrumb">
      <a href="/endpoints">Endpoints</a>
      {e && (
        <>
          {' › '}
          <a href={endpointsHref({ api: e.api_url_id })}>{e.api_id}</a>
          {e.stage && (
            <>
              {' › '}
              <a href={endpointsHref({ api: e.api_url_id, stage: e.stage })}>{e.stage}</a>
            </>
          )}
        </>
      )}
    </nav>
  );
}

function Counts({ m, empty = '–' }: { m: Record<string, number> | undefined; empty?: string }) {
  const entries = Object.entries(m ?? {});
  if (!entries.length) return <span class="muted">{empty}</span>;
  return (
    <span class="tags">
      {entries.map(([k, n]) => (
        <CountTag name={k} n={n} key={k} />
      ))}
    </span>
  );
}

function LatencyTable({ l }: { l: EndpointDetail['latency_ms'] }) {
  const rows: Array<[string, LatencyStats | null | undefined, string]> = [
    ['response', l?.response, 'Time from the request to the response, as API Gateway logged it'],
    ['integration', l?.integration, 'Time spent in the backend integration'],
  ];
  if (!rows.some(([, s]) => s)) return <span class="muted">not logged</span>;
  return (
    <table class="mini">
      <TableHead columns={['', numColumn('p50'), numColumn('p95'), numColumn('max'), numColumn('n')]} />
      <tbody>
        {rows.map(([name, s, title]) => (
          <tr key={name}>
            <th scope="row" title={title}>
              {name}
            </th>
            <td class="num">{ms(s?.p50)}</td>
            <td class="num">{ms(s?.p95)}</td>
            <td class="num">{ms(s?.max)}</td>
            <td class="num muted">{s ? full(s.count) : '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface ParamRow {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  type?: string;
  format?: string;
  count?: number;
  observed?: number;
  required?: boolean;
  tags: string[];
  example?: string;
  evidence?: InferredParameter;
  /** A transport, CDN or browser header (not part of the API's contract). */
  transport?: boolean;
}

function fieldRow(name: string, where: ParamRow['in'], v: FieldStats | number, observed: number): ParamRow {
  const s: FieldStats = typeof v === 'number' ? { count: v } : v;
  return {
    name,
    in: where,
    type: s.type,
    format: s.format,
    count: s.count,
    observed,
    required: s.required,
    tags: s.sensitive ?? [],
    example: s.example_redacted,
    transport: where === 'header' && TRANSPORT.test(name),
  };
}

// What the OpenAPI export leaves out (hop-by-hop, CDN, X-Amz-*, X-Forwarded-*, credentials),
// plus what every browser sends.
const TRANSPORT =
  /^(host|connection|keep-alive|te|trailer|transfer-encoding|upgrade|via|forwarded|x-forwarded-.*|x-amz.*|x-real-ip|cloudfront-.*|cdn-.*|cf-.*|accept(-.*)?|user-agent|referer|origin|cache-control|pragma|dnt|sec-.*|upgrade-insecure-requests|content-length|authorization|cookie|postman-token)$/i;

function paramRows(e: EndpointDetail): ParamRow[] {
  const rows: ParamRow[] = [];
  const inferred = new Map((e.parameters_inferred ?? []).map((p) => [p.name, p]));
  for (const m of e.path.matchAll(/\{([^}]+)\}/g)) {
    const raw = m[1]!;
    const name = raw.replace(/\+$/, '');
    const ev = inferred.get(name) ?? inferred.get(raw);
    rows.push({
      name,
      in: 'path',
      type: 'string',
      count: e.requests,
      observed: e.requests,
      required: true,
      tags: [],
      example: ev?.examples?.[0],
      evidence: ev,
    });
  }
  // Inferred parameters not in the path text (defensive: names differ after a hint).
  for (const p of e.parameters_inferred ?? []) {
    if (!rows.some((r) => r.evidence === p)) rows.push({ name: p.name, in: 'path', type: 'string', required: true, tags: [], evidence: p, example: p.examples?.[0] });
  }
  const c = e.content;
  if (c) {
    const byCount = (a: [string, FieldStats | number], b: [string, FieldStats | number]) =>
      (typeof b[1] === 'number' ? b[1] : b[1].count) - (typeof a[1] === 'number' ? a[1] : a[1].count) || a[0].localeCompare(b[0]);
    for (const [k, v] of Object.entries(c.query_parameters ?? {}).sort(byCount)) rows.push(fieldRow(k, 'query', v, c.query_observed));
    for (const [k, v] of Object.entries(c.request_headers ?? {}).sort(byCount)) rows.push(fieldRow(k, 'header', v, c.request_headers_observed));
    for (const [k, v] of Object.entries(c.cookies ?? {}).sort(byCount)) rows.push(fieldRow(k, 'cookie', v, c.request_headers_observed));
  }
  return rows;
}

function Parameters({ e }: { e: EndpointDetail }) {
  const rows = paramRows(e);
  const [open, setOpen] = useState<Set<string>>(() => new Set());
  const toggle = (name: string) =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(name)) n.delete(name);
      else n.add(name);
      return n;
    });
  const [showTransport, setShowTransport] = useState(false);
  const counts = { path: 0, query: 0, header: 0, cookie: 0 };
  for (const r of rows) counts[r.in]++;
  const hidden = rows.filter((r) => r.transport).length;
  const visible = showTransport ? rows : rows.filter((r) => !r.transport);
  return (
    <Section
      title="Parameters"
      actions={
        <span class="muted small">
          {counts.path} path · {counts.query} query · {counts.header} header · {counts.cookie} cookie
        </span>
      }
    >
      {!e.content && (
        <p class="muted small">
          Query parameters, headers and cookies show when REST execution logs (or HAR files) carry the requests; these requests came from
          access logs only.
        </p>
      )}
      {rows.length === 0 ? (
        <div class="empty" data-testid="param-table">
          No parameters seen.
        </div>
      ) : (
        <table class="table table-compact params" data-testid="param-table">
          <TableHead
            columns={[
              'Name',
              'In',
              'Type',
              'Format',
              numColumn('Share', 'Share of the requests whose parameters were logged whole that carried it'),
              'Sensitive',
              'Redacted example',
              'Evidence',
            ]}
          />
          <tbody>
            {visible.map((r) => {
              const key = `${r.in}:${r.name}`;
              const isOpen = open.has(r.name) && r.in === 'path';
              return (
                <Fragment key={key}>
                  <tr data-testid="param-row" data-param-name={r.name} data-param-in={r.in} class={isOpen ? 'open' : ''}>
                    <td class={r.transport ? 'transport' : ''}>
                      <code class="strong">{r.name}</code>
                      {r.required && (
                        <span class="req" title={r.in === 'path' ? 'Path parameters are always sent' : 'Every logged request carried it'}>
                          {' '}
                          required
                        </span>
                      )}
                    </td>
                    <td>
                      <span class={`in in-${r.in}`}>{r.in}</span>
                    </td>
                    <td>{r.type ? <code class="type">{r.type}</code> : <span class="muted">–</span>}</td>
                    <td>{r.format ? <code class="fmt">{r.format}</code> : <span class="muted">–</span>}</td>
                    <td class="num" title={r.count !== undefined && r.observed ? `${full(r.count)} of ${full(r.observed)} requests` : undefined}>
                      {r.count !== undefined && r.observed ? pct(Math.min(r.count, r.observed), r.observed, 0) : <span class="muted">–</span>}
                    </td>
                    <td>{r.tags.length ? <Tags tags={r.tags} /> : <span class="muted">–</span>}</td>
                    <td>{r.example ? <code class="redacted">{r.example}</code> : <span class="muted">–</span>}</td>
                    <td>
                      {r.evidence ? (
                        <button
                          type="button"
                          class="linkish"
                          data-testid="evidence-link"
                          data-param-name={r.name}
                          aria-expanded={isOpen}
                          aria-controls={`evidence-${r.name}`}
                          onClick={() => toggle(r.name)}
                        >
                          {isOpen ? 'Hide evidence' : 'Why a parameter?'}
                        </button>
                      ) : r.in === 'path' && e.source === 'gateway' ? (
                        <span class="muted small">from the gateway</span>
                      ) : null}
                    </td>
                  </tr>
                  {isOpen && r.evidence && (
                    <tr class="evidence-row">
                      <td colSpan={8}>
                        <EvidencePanel p={r.evidence} path={e.path} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
          {hidden > 0 && (
            <tfoot>
              <tr>
                <td colSpan={8}>
                  <button type="button" class="linkish small" data-testid="toggle-transport-headers" aria-expanded={showTransport} onClick={() => setShowTransport(!showTransport)}>
                    {showTransport ? `Hide the ${hidden} transport and browser headers` : `Show ${hidden} more headers (transport, CDN, browser, credentials)`}
                  </button>
                </td>
              </tr>
            </tfoot>
          )}
        </table>
      )}
    </Section>
  );
}

function EvidencePanel({ p, path }: { p: InferredParameter; path: string }) {
  const classes = Object.entries(p.classes ?? {}).sort((a, b) => b[1] - a[1]);
  const classTotal = classes.reduce((t, [, n]) => t + n, 0);
  const sibling = (lit: string) => path.replace(new RegExp(`\\{${p.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\+?\\}`), lit);
  return (
    <div class="evidence" id={`evidence-${p.name}`} data-testid="evidence-panel" data-param-name={p.name}>
      <div class="evidence-why">
        <strong>Why {`{${p.name}}`} is a parameter:</strong> {RULES[p.rule] ?? p.rule}{' '}
        <span class="muted small">
          (rule <code>{p.rule}</code>)
        </span>
      </div>
      <div class="evidence-grid">
        <div>
          <div class="ev-label">Distinct values</div>
          <div class="ev-value" title="Estimated from a distinct-value sketch">
            ≈ {full(p.distinct_values)}
          </div>
        </div>
        <div>
          <div class="ev-label">Requests</div>
          <div class="ev-value">{full(p.requests)}</div>
        </div>
        <div>
          <div class="ev-label">Matched classes</div>
          <div class="ev-value">
            {classes.length ? (
              <span class="tags">
                {classes.map(([k, n]) => (
                  <CountTag name={k} n={n} key={k} title={`${full(n)} of ${full(classTotal)} distinct values`} />
                ))}
              </span>
            ) : (
              <span class="muted">–</span>
            )}
          </div>
        </div>
        <div>
          <div class="ev-label">Redacted examples</div>
          <div class="ev-value">
            {p.examples?.length ? p.examples.map((x) => <code class="redacted" key={x}>{x}</code>) : <span class="muted">–</span>}
          </div>
        </div>
      </div>
      <div>
        <div class="ev-label">Sibling literals kept (constant segments beside the parameter)</div>
        {p.constant_siblings?.length ? (
          <ul class="siblings">
            {p.constant_siblings.map((s) => (
              <li key={s}>
                <code>{sibling(s)}</code>{' '}
                <a href={endpointsHref({ q: sibling(s) })} class="small">
                  find
                </a>
              </li>
            ))}
          </ul>
        ) : (
          <span class="muted small">none: every value here folded into the parameter</span>
        )}
      </div>
    </div>
  );
}

function Bodies({ e }: { e: EndpointDetail }) {
  const c = e.content;
  const byName = <T,>(m: Record<string, T> | undefined) => Object.entries(m ?? {}).sort((x, y) => x[0].localeCompare(y[0]));
  const requests = byName(c?.request_bodies);
  const responses = byName(c?.response_bodies);
  return (
    <Section
      title="Request and response bodies"
      testid="schema-section"
      actions={
        <a href={`/apis/${encodeURIComponent(e.api_url_id)}`} class="small">
          OpenAPI of this API
        </a>
      }
    >
      {!c && <div class="empty">No bodies seen: these requests came from access logs only.</div>}
      <h3 class="sub-head">Request</h3>
      {requests.length === 0 ? (
        <div class="empty small">No request body seen.</div>
      ) : (
        requests.map(([mt, b]) => <BodyBlock key={`req:${mt}`} mt={mt} b={b} />)
      )}
      <h3 class="sub-head">Responses</h3>
      {responses.length === 0 ? (
        <div class="empty small">No response seen.</div>
      ) : (
        responses.map(([status, bodies]) => (
          <div class="resp" key={status} data-status={status}>
            <div class="resp-head">
              <StatusCode code={status} />{' '}
              <span class="muted small">{e.status_codes[status] !== undefined ? plural(e.status_codes[status]!, 'response') : ''}</span>
            </div>
            {Object.keys(bodies).length === 0 ? (
              <div class="empty small">No body logged.</div>
            ) : (
              byName(bodies).map(([mt, b]) => <BodyBlock key={`${status}:${mt}`} mt={mt} b={b} />)
            )}
          </div>
        ))
      )}
    </Section>
  );
}

function BodyBlock({ mt, b }: { mt: string; b: BodyStats }) {
  return (
    <div class="body">
      <div class="body-head">
        <code class="mt">{mt}</code>
        <span class="muted small">{full(b.count)} bodies logged</span>
        {b.truncated > 0 && (
          <span class="tag tag-warn" title="API Gateway cut these bodies; their fields count, never as required">
            {full(b.truncated)} truncated
          </span>
        )}
      </div>
      <SchemaTree schema={b.schema ?? undefined} sensitive={b.sensitive_fields ?? []} />
    </div>
  );
}

function AuthSection({ e }: { e: EndpointDetail }) {
  const a = e.auth;
  const extra = Object.entries(a ?? {}).filter(
    ([k, v]) => !['requests_observed', 'without_credentials', 'schemes'].includes(k) && v !== null && (typeof v !== 'object' || Object.keys(v as object).length > 0),
  );
  const renderValue = (v: unknown) => {
    if (Array.isArray(v))
      return (
        <span class="tags">
          {v.map((x) => (
            <code class="tag" key={String(x)}>
              {String(x)}
            </code>
          ))}
        </span>
      );
    if (v && typeof v === 'object') return <Counts m={v as Record<string, number>} />;
    return String(v);
  };
  return (
    <Section title="Authentication" testid="auth-section">
      <div class="auth-schemes">
        <AuthBadges schemes={e.auth_schemes} />
      </div>
      {a ? (
        <KeyValues
          items={[
            ['Requests with headers shown', a.requests_observed !== undefined ? full(a.requests_observed) : '–'],
            [
              'Without any credential',
              a.without_credentials !== undefined ? (
                <span class={a.without_credentials ? 'warn' : ''}>
                  {full(a.without_credentials)} {a.requests_observed ? `(${pct(a.without_credentials, a.requests_observed)})` : ''}
                </span>
              ) : (
                '–'
              ),
            ],
            ['Schemes (requests)', <Counts m={a.schemes} empty="none seen" />],
            ...extra.map(([k, v]): [string, ComponentChildren] => [label(k), renderValue(v)]),
          ]}
        />
      ) : (
        <p class="muted small">No request showed its headers (access logs only): whether it needs auth is unknown.</p>
      )}
    </Section>
  );
}

function SensitiveWhere({ e }: { e: EndpointDetail }) {
  const where: Array<[string, string[]]> = [];
  const c = e.content;
  const add = (label: string, v: FieldStats | number) => {
    if (typeof v !== 'number' && v.sensitive?.length) where.push([label, v.sensitive]);
  };
  for (const [k, v] of Object.entries(c?.query_parameters ?? {})) add(`query ${k}`, v);
  for (const [k, v] of Object.entries(c?.request_headers ?? {})) add(`header ${k}`, v);
  for (const [k, v] of Object.entries(c?.cookies ?? {})) add(`cookie ${k}`, v);
  const addBody = (label: string, b: BodyStats) => {
    for (const f of b.sensitive_fields ?? []) where.push([`${label} ${f.pointer || '/'}`, f.sensitive]);
  };
  for (const [mt, b] of Object.entries(c?.request_bodies ?? {})) addBody(`request ${mt}`, b);
  for (const [st, bodies] of Object.entries(c?.response_bodies ?? {}))
    for (const [mt, b] of Object.entries(bodies)) addBody(`response ${st} ${mt}`, b);
  if (!where.length) return e.tags.length ? null : <p class="muted small">No sensitive data seen in what was logged.</p>;
  return (
    <table class="table table-compact where">
      <TableHead columns={['Where', 'Tags']} />
      <tbody>
        {where.map(([w, t]) => (
          <tr key={w}>
            <td>
              <code>{w}</code>
            </td>
            <td>
              <Tags tags={t} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
