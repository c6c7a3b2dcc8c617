// The overview: stat cards, traffic, APIs by account and region, new / sensitive / zombie lists.
import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { api, type Overview, type OverviewApi } from '../api';
import { AuthBadges, CountTag, ErrorBanner, Loading, Num, numColumn, Section, TableHead, TimeAgo } from '../components/common';
import { EndpointMiniList, tagsBelow } from '../components/EndpointMiniList';
import { TrafficPanel } from '../components/TrafficChart';
import { compact, duration, exact, full, iso, label, parseTime, pct, plural } from '../format';
import { useFetch, useTitle } from '../hooks';

const DAY = 86400e3;

export function endpointsHref(params: Record<string, string | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) p.set(k, v);
  const s = p.toString();
  return s ? `/endpoints?${s}` : '/endpoints';
}

/** A stat card shows either a `count` of endpoints or a computed `value` with its `exactValue`. */
function StatCard({
  testid,
  title,
  count,
  value = count === undefined ? undefined : full(count),
  exactValue = count === undefined ? undefined : String(count),
  sub,
  href,
  tone,
}: {
  testid: string;
  title: string;
  count?: number;
  value?: ComponentChildren;
  exactValue?: string;
  sub?: ComponentChildren;
  href: string;
  tone?: 'warn' | 'bad' | 'good';
}) {
  return (
    <a class={`stat ${tone ? `stat-${tone}` : ''}`} href={href} data-testid={testid}>
      <span class="stat-title">{title}</span>
      <span class="stat-value" title={exactValue} data-value={exactValue}>
        {value}
      </span>
      {sub && <span class="stat-sub">{sub}</span>}
    </a>
  );
}

/** A panel listing a few endpoints, with a link to all of them in the endpoint list. */
function ListSection({ title, testid, allHref, children }: { title: string; testid: string; allHref: string; children: ComponentChildren }) {
  return (
    <Section title={title} testid={testid} actions={<a href={allHref}>all</a>}>
      {children}
    </Section>
  );
}

function ApiGroups({ o, now }: { o: Overview; now: number }) {
  if (!o.groups.length) return <div class="empty">No API has sent traffic yet.</div>;
  return (
    <div class="groups">
      {o.groups.map((g) => (
        <div class="group" key={`${g.account_id}/${g.region}`}>
          <h3 class="group-head">
            <span title="AWS account">{g.account_id ?? 'unknown account'}</span>
            <span class="sep">·</span>
            <span title="AWS region">{g.region ?? 'unknown region'}</span>
            <span class="muted small"> {g.apis.length === 1 ? '1 API' : `${g.apis.length} APIs`}</span>
          </h3>
          <table class="table">
            <TableHead
              columns={[
                'API / stage',
                'Kind',
                numColumn('Endpoints'),
                numColumn('Requests'),
                numColumn('4xx'),
                numColumn('5xx'),
                numColumn('Unseen 7 d', 'Endpoints last seen more than 7 days before the as-of time'),
                'Last seen',
              ]}
            />
            <tbody>
              {g.apis.map((a) => (
                <ApiRows a={a} now={now} key={a.api_id} />
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </div>
  );
}

function ApiRows({ a, now }: { a: OverviewApi; now: number }) {
  const c4 = a.stages.reduce((t, s) => t + s.client_errors, 0);
  const c5 = a.stages.reduce((t, s) => t + s.server_errors, 0);
  const unseen = a.stages.reduce((t, s) => t + s.unseen_endpoints, 0);
  const last = a.stages.map((s) => s.last_seen).filter((t): t is string => !!t).sort().pop() ?? null;
  return (
    <>
      <tr class="api-row" data-testid="api-row" data-api-id={a.api_id} data-api-url-id={a.api_url_id}>
        <th scope="row">
          <a href={`/apis/${encodeURIComponent(a.api_url_id)}`} class="strong">
            {a.api_id}
          </a>
          {a.domain_names.length > 0 && <div class="sub muted">{a.domain_names.join(', ')}</div>}
        </th>
        <td>
          <span class="tag">{a.kind}</span>
        </td>
        <td class="num">
          <a href={endpointsHref({ api: a.api_url_id })} title="Show its endpoints">
            {full(a.endpoints)}
          </a>
        </td>
        <td class="num">
          <Num n={a.requests} />
        </td>
        <td class="num">
          <span class={c4 ? 'c4xx' : 'muted'} title={full(c4)}>
            {pct(c4, a.requests)}
          </span>
        </td>
        <td class="num">
          <a href={endpointsHref({ api: a.api_url_id, status: '5xx' })} class={c5 ? 'c5xx' : 'muted'} title={full(c5)}>
            {pct(c5, a.requests)}
          </a>
        </td>
        <td class="num">{unseen ? <span class="warn">{full(unseen)}</span> : <span class="muted">0</span>}</td>
        <td>
          <TimeAgo t={last} now={now} />
        </td>
      </tr>
      {a.stages.map((s) => (
        <tr class="stage-row" key={s.stage ?? ''}>
          <td class="indent">
            <span class="muted">stage</span>{' '}
            <a href={endpointsHref({ api: a.api_url_id, stage: s.stage ?? undefined })}>{s.stage ?? '(none)'}</a>
          </td>
          <td />
          <td class="num">{full(s.endpoints)}</td>
          <td class="num">
            <Num n={s.requests} />
          </td>
          <td class="num">
            <span class={s.client_errors ? 'c4xx' : 'muted'} title={full(s.client_errors)}>
              {pct(s.client_errors, s.requests)}
            </span>
          </td>
          <td class="num">
            <span class={s.server_errors ? 'c5xx' : 'muted'} title={full(s.server_errors)}>
              {pct(s.server_errors, s.requests)}
            </span>
          </td>
          <td class="num">{s.unseen_endpoints ? <span class="warn">{full(s.unseen_endpoints)}</span> : <span class="muted">0</span>}</td>
          <td>
            <TimeAgo t={s.last_seen} now={now} />
          </td>
        </tr>
      ))}
    </>
  );
}

function StaleNotice({ o, onLatest }: { o: Overview; onLatest: () => void }) {
  const asOf = parseTime(o.as_of)!;
  const latest = parseTime(o.latest_traffic);
  if (latest === null || asOf - latest <= DAY) return null;
  return (
    <div class="banner banner-info" role="status">
      <span>
        The latest traffic is from <strong title={exact(o.latest_traffic)}>{exact(o.latest_traffic)}</strong>,{' '}
        {duration(asOf - latest)} before {exact(o.as_of)}: recent windows are empty.
      </span>
      <button type="button" class="btn btn-primary btn-sm" data-testid="as-of-latest" onClick={onLatest}>
        Show as of the latest traffic
      </button>
    </div>
  );
}

export function OverviewPage() {
  const { query, route } = useLocation();
  const asOfParam = query.as_of || undefined;
  useTitle('Overview');
  const { data: o, error, loading } = useFetch(`overview:${asOfParam ?? ''}`, (signal) => api.overview(asOfParam, signal));

  if (error) {
    return (
      <div class="page" data-testid="overview">
        <h1>Overview</h1>
        <ErrorBanner error={error} />
      </div>
    );
  }
  if (!o) {
    return (
      <div class="page" data-testid="overview">
        <h1>Overview</h1>
        <Loading what="Loading the overview" />
      </div>
    );
  }

  const asOf = parseTime(o.as_of) ?? Date.now();
  const t = o.totals;
  const errors = t.client_errors + t.server_errors;
  const authTotal = o.auth.authenticated + o.auth.unauthenticated + o.auth.unknown;
  const schemes = Object.entries(o.auth.by_scheme)
    .filter(([k, n]) => n > 0 && k !== 'none')
    .sort((a, b) => b[1] - a[1]);
  const tagList = Object.entries(o.sensitive.by_tag)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  const newSinceDay = iso(asOf - DAY);
  const newSinceWeek = iso(asOf - 7 * DAY);
  const unseenSince = iso(asOf - 7 * DAY);

  return (
    <div class={`page ${loading ? 'is-loading' : ''}`} data-testid="overview" aria-busy={loading}>
      <div class="page-head">
        <h1>Overview</h1>
        <span class="muted small">
          as of <time title={exact(o.as_of)}>{exact(o.as_of)}</time>
          {asOfParam && (
            <>
              {' · '}
              <a href="/">back to now</a>
            </>
          )}
        </span>
      </div>
      <StaleNotice o={o} onLatest={() => route(`/?as_of=${encodeURIComponent(o.latest_traffic!)}`)} />
      {t.endpoints === 0 && (
        <div class="banner banner-info" role="status">
          The inventory is empty: send API Gateway logs to <code>POST /v1/logs</code>, HAR files to{' '}
          <code>POST /v1/har</code>, or run <code>gatescope ship</code>.
        </div>
      )}
      <div class="stats">
        <StatCard
          testid="stat-endpoints"
          title="Endpoints"
          value={compact(t.endpoints)}
          exactValue={String(t.endpoints)}
          sub={`${plural(t.apis, 'API')} · ${plural(t.stages, 'stage')}`}
          href="/endpoints"
        />
        <StatCard
          testid="stat-requests"
          title="Requests"
          value={compact(t.requests)}
          exactValue={String(t.requests)}
          sub={t.unattributed ? `${full(t.unattributed)} unattributed` : `${full(t.requests)} in total`}
          href={endpointsHref({ sort: 'requests' })}
        />
        <StatCard
          testid="stat-error-rate"
          title="Error rate"
          value={pct(errors, t.requests)}
          exactValue={String(errors)}
          sub={
            <>
              <span class="c4xx">4xx {pct(t.client_errors, t.requests)}</span> ·{' '}
              <span class="c5xx">5xx {pct(t.server_errors, t.requests)}</span>
            </>
          }
          href={endpointsHref({ status: '5xx', sort: 'requests' })}
          tone={t.requests && t.server_errors / t.requests > 0.01 ? 'bad' : undefined}
        />
        <StatCard
          testid="stat-new-day"
          title="New in last day"
          count={o.new_endpoints.last_day}
          sub={`since ${exact(newSinceDay).slice(5, 16)}`}
          href={endpointsHref({ new_since: newSinceDay, sort: 'first_seen' })}
          tone={o.new_endpoints.last_day ? 'warn' : undefined}
        />
        <StatCard
          testid="stat-new-week"
          title="New in last week"
          count={o.new_endpoints.last_week}
          sub={`since ${exact(newSinceWeek).slice(0, 10)}`}
          href={endpointsHref({ new_since: newSinceWeek, sort: 'first_seen' })}
        />
        <StatCard
          testid="stat-auth-coverage"
          title="Auth coverage"
          value={pct(o.auth.authenticated, authTotal)}
          exactValue={String(o.auth.authenticated)}
          sub={
            <>
              <span class={o.auth.unauthenticated ? 'warn' : ''}>{full(o.auth.unauthenticated)} without</span> · {full(o.auth.unknown)} unknown
            </>
          }
          href={endpointsHref({ auth: 'unauthenticated' })}
          tone={o.auth.unauthenticated ? 'warn' : undefined}
        />
        <StatCard
          testid="stat-sensitive"
          title="Sensitive data"
          count={o.sensitive.endpoints}
          sub={tagList.length ? tagList.slice(0, 3).map(([k]) => label(k)).join(', ') : 'no sensitive data seen'}
          href={endpointsHref({ sensitive: 'true' })}
          tone={o.sensitive.endpoints ? 'warn' : undefined}
        />
        <StatCard
          testid="stat-zombies"
          title="Possible zombies"
          count={o.zombies.unseen_7d}
          sub={`unseen 7 d · ${full(o.zombies.unseen_30d)} for 30 d`}
          href={endpointsHref({ unseen_since: unseenSince, sort: 'requests' })}
          tone={o.zombies.unseen_7d ? 'warn' : undefined}
        />
      </div>

      <TrafficPanel traffic={o.traffic} title="Traffic, all endpoints" />

      <Section title="APIs" testid="api-groups">
        <ApiGroups o={o} now={asOf} />
      </Section>

      <div class="grid-3">
        <ListSection title="New endpoints" testid="new-endpoints" allHref={endpointsHref({ new_since: newSinceWeek, sort: 'first_seen' })}>
          <EndpointMiniList items={o.new_endpoints.recent} seen="first_seen" now={asOf} empty="No endpoint first seen in the last 7 days." />
        </ListSection>
        <ListSection title="Sensitive data" testid="sensitive-endpoints" allHref={endpointsHref({ sensitive: 'true', sort: 'requests' })}>
          {tagList.length > 0 && (
            <div class="tagcounts">
              {tagList.map(([k, n]) => (
                <CountTag kind="sensitive" name={k} n={n} href={endpointsHref({ tag: k })} key={k} title={`${n} endpoints`} />
              ))}
            </div>
          )}
          <EndpointMiniList items={o.sensitive.top} below={tagsBelow} empty="No sensitive data seen." />
        </ListSection>
        <ListSection title="Possible zombies" testid="zombie-endpoints" allHref={endpointsHref({ unseen_since: unseenSince, sort: 'requests' })}>
          <EndpointMiniList items={o.zombies.top} seen="last_seen" now={asOf} empty="Every endpoint was seen in the last 7 days." />
        </ListSection>
      </div>

      <Section title="Authentication">
        <div class="authsummary">
          <AuthBar a={o.auth} />
          <div>
            <span class="muted small">Schemes seen (endpoints): </span>
            {schemes.length ? (
              <span class="tags">
                {schemes.map(([k, n]) => (
                  <CountTag kind="auth" name={k} n={n} href={endpointsHref({ auth: k })} key={k} />
                ))}
              </span>
            ) : (
              <AuthBadges schemes={[]} />
            )}
          </div>
        </div>
      </Section>
    </div>
  );
}

function AuthBar({ a }: { a: Overview['auth'] }) {
  const total = a.authenticated + a.unauthenticated + a.unknown;
  if (!total) return <div class="empty">No endpoints.</div>;
  const parts: Array<[string, number, string, string]> = [
    ['authenticated', a.authenticated, 'ab-ok', 'authenticated'],
    ['without auth', a.unauthenticated, 'ab-none', 'unauthenticated'],
    ['unknown', a.unknown, 'ab-unknown', 'unknown'],
  ];
  return (
    <div class="authbar-wrap">
      <div class="authbar" aria-hidden="true">
        {parts.map(([, n, cls]) => n > 0 && <span class={cls} style={{ width: `${(100 * n) / total}%` }} />)}
      </div>
      <div class="authlegend">
        {parts.map(([name, n, cls, filter]) => (
          <span key={name}>
            <i class={`dot ${cls}`} />{' '}
            {filter ? <a href={endpointsHref({ auth: filter })}>{name}</a> : name} <b>{full(n)}</b>{' '}
            <span class="muted">({pct(n, total)})</span>
          </span>
        ))}
      </div>
    </div>
  );
}
