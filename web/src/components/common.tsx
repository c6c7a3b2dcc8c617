// Small building blocks used by every page.
import type { ComponentChildren } from 'preact';
import type { ApiError } from '../api';
import { ago, compact, exact, full, label, pct } from '../format';

export function ErrorBanner({ error, title }: { error: ApiError | string; title?: string }) {
  const message = typeof error === 'string' ? error : error.message;
  const code = typeof error === 'string' ? '' : error.code;
  return (
    <div class="banner banner-error" role="alert" data-testid="error-banner">
      <strong>{title ?? 'Could not load this page.'}</strong> <span>{message}</span>
      {code && <code class="muted"> ({code})</code>}
    </div>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <div class="loading" role="status" aria-live="polite" data-testid="loading">
      <span class="spinner" aria-hidden="true" /> {what}…
    </div>
  );
}

export function Empty({ children, testid }: { children: ComponentChildren; testid?: string }) {
  return (
    <div class="empty" data-testid={testid}>
      {children}
    </div>
  );
}

export function MethodBadge({ method }: { method: string }) {
  const m = method.toUpperCase();
  const known = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'WS', 'ANY'].includes(m);
  return <span class={`method method-${known ? m.toLowerCase() : 'other'}`}>{m}</span>;
}

const SOURCE_TITLES: Record<string, string> = {
  resource_path: 'Template logged by API Gateway (REST resource path)',
  route_key: 'Template logged by API Gateway (HTTP API route key)',
  path_parameters: 'Template rebuilt from the path parameters API Gateway logged',
  inferred: 'Template inferred by gatescope from the concrete paths',
  concrete: 'Concrete path: no template logged or inferred',
  gateway: 'Template logged by API Gateway',
};

export function SourceBadge({ source, templateSource }: { source: string; templateSource?: string }) {
  const ts = templateSource ?? source;
  return (
    <span class={`source source-${source}`} title={SOURCE_TITLES[ts] ?? ts}>
      {source === 'gateway' && templateSource ? `gateway · ${label(templateSource)}` : label(ts)}
    </span>
  );
}

export function TimeAgo({ t, now }: { t: string | null | undefined; now?: number }) {
  if (!t) return <span class="muted">never</span>;
  return (
    <time dateTime={t} title={exact(t)}>
      {ago(t, now)}
    </time>
  );
}

export function Num({ n }: { n: number | null | undefined }) {
  return <span title={full(n)}>{compact(n)}</span>;
}

const CLASS_ORDER = ['2xx', '3xx', '4xx', '5xx', 'unknown'];

/** A thin stacked bar of 2xx/3xx/4xx/5xx shares, with the counts in its tooltip. */
export function StatusBar({ classes }: { classes: Record<string, number> }) {
  const total = Object.values(classes).reduce((a, b) => a + b, 0);
  if (!total) return <span class="muted">–</span>;
  const title = CLASS_ORDER.filter((c) => classes[c])
    .map((c) => `${c}: ${full(classes[c])} (${pct(classes[c]!, total)})`)
    .join('\n');
  return (
    <span class="statusbar" title={title} aria-label={title.replace(/\n/g, ', ')}>
      {CLASS_ORDER.filter((c) => classes[c]).map((c) => (
        <span class={`sb sb-${c}`} style={{ width: `${(100 * classes[c]!) / total}%` }} />
      ))}
    </span>
  );
}

/** Error share (4xx + 5xx) as text with a colour by severity. */
export function ErrorRate({ classes }: { classes: Record<string, number> }) {
  const total = Object.values(classes).reduce((a, b) => a + b, 0);
  const c4 = classes['4xx'] ?? 0;
  const c5 = classes['5xx'] ?? 0;
  if (!total) return <span class="muted">–</span>;
  return (
    <span class="num">
      <span class={c4 ? 'c4xx' : 'muted'} title={`4xx: ${full(c4)}`}>
        {pct(c4, total)}
      </span>
      {' / '}
      <span class={c5 ? 'c5xx' : 'muted'} title={`5xx: ${full(c5)}`}>
        {pct(c5, total)}
      </span>
    </span>
  );
}

export function StatusCode({ code }: { code: string }) {
  const cls = /^[1-5]\d\d$/.test(code) ? `c${code[0]}xx` : 'muted';
  return <span class={`code ${cls}`}>{code}</span>;
}

export function Tags({ tags, testid }: { tags: string[]; testid?: string }) {
  if (!tags.length) return testid ? <span class="muted" data-testid={testid}>none</span> : null;
  return (
    <span class="tags" data-testid={testid}>
      {tags.map((t) => (
        <span class="tag tag-sensitive" key={t}>
          {label(t)}
        </span>
      ))}
    </span>
  );
}

export function AuthBadges({ schemes }: { schemes: string[] }) {
  if (!schemes.length) return <span class="muted" title="No request showed its headers">unknown</span>;
  return (
    <span class="tags">
      {schemes.map((s) => (
        <span class={`tag ${s === 'none' ? 'tag-warn' : 'tag-auth'}`} key={s}>
          {label(s)}
        </span>
      ))}
    </span>
  );
}

export function Section({
  title,
  children,
  testid,
  actions,
  id,
}: {
  title: ComponentChildren;
  children: ComponentChildren;
  testid?: string;
  actions?: ComponentChildren;
  id?: string;
}) {
  return (
    <section class="panel" data-testid={testid} id={id} aria-label={typeof title === 'string' ? title : undefined}>
      <header class="panel-head">
        <h2>{title}</h2>
        {actions && <div class="panel-actions">{actions}</div>}
      </header>
      <div class="panel-body">{children}</div>
    </section>
  );
}

/** A definition list of label/value pairs in a compact grid. */
export function KeyValues({ items }: { items: Array<[string, ComponentChildren]> }) {
  return (
    <dl class="kv">
      {items.map(([k, v]) => (
        <>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </>
      ))}
    </dl>
  );
}

/** A table column heading: its text, or the text with a class (`num` aligns right) and a tooltip. */
export type Column = string | { label: ComponentChildren; class?: string; title?: string };

/** The `<thead>` of a table whose columns each have a plain heading. */
export function TableHead({ columns }: { columns: Column[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c, i) =>
          typeof c === 'string' ? (
            <th scope="col" key={i}>
              {c}
            </th>
          ) : (
            <th scope="col" key={i} class={c.class} title={c.title}>
              {c.label}
            </th>
          ),
        )}
      </tr>
    </thead>
  );
}

/** A right-aligned numeric column heading. */
export function numColumn(label: string, title?: string): Column {
  return { label, class: 'num', title };
}

/** A tag with a count beside its label (`kind`: sensitive, auth…), a link when `href` is given. */
export function CountTag({ name, n, kind, href, title }: { name: string; n: number; kind?: string; href?: string; title?: string }) {
  const cls = kind ? `tag tag-${kind}` : 'tag';
  const text = (
    <>
      {label(name)} <b>{full(n)}</b>
    </>
  );
  return href ? (
    <a class={cls} href={href} title={title}>
      {text}
    </a>
  ) : (
    <span class={cls} title={title}>
      {text}
    </span>
  );
}
