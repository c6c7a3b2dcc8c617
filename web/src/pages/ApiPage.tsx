// One API: its stages, the OpenAPI document to download, and Swagger UI showing it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, getBlob, isAbort, type ApiStage, type OpenApiDocument } from '../api';
import { ErrorBanner, Loading, Num, numColumn, Section, TableHead, TimeAgo } from '../components/common';
import { full } from '../format';
import { useFetch, useTitle } from '../hooks';
import { endpointsHref } from './Overview';

function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function DownloadButton({ apiUrlId, ext }: { apiUrlId: string; ext: 'json' | 'yaml' }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const click = async () => {
    setBusy(true);
    setError(null);
    try {
      const blob = await getBlob(api.openapiUrl(apiUrlId, ext), ext === 'json' ? 'application/json' : 'application/yaml');
      saveBlob(blob, `${apiUrlId}.openapi.${ext}`);
    } catch (e) {
      if (!isAbort(e)) setError(e instanceof ApiError ? e : new ApiError(0, 'client', String(e)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" class="btn" data-testid={`download-openapi-${ext}`} onClick={click} disabled={busy}>
        <svg width="14" height="14" viewBox="0 0 24 24" aria-hidden="true">
          <path d="M12 3v12m0 0l-5-5m5 5l5-5M4 19h16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
        </svg>{' '}
        {busy ? 'Downloading…' : `openapi.${ext}`}
      </button>
      {error && <ErrorBanner error={error} title={`Could not download openapi.${ext}.`} />}
    </>
  );
}

function Viewer({ apiUrlId }: { apiUrlId: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | ApiError>('loading');
  const [doc, setDoc] = useState<OpenApiDocument | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    setState('loading');
    // The document (with the token) and Swagger UI's code load in parallel.
    Promise.all([api.openapi(apiUrlId, ctl.signal), import('../swagger')]).then(
      ([spec, m]) => {
        if (ctl.signal.aborted || !ref.current) return;
        ref.current.textContent = '';
        setDoc(spec);
        m.mountSwagger(ref.current, spec);
        setState('ready');
      },
      (e: unknown) => {
        if (ctl.signal.aborted || isAbort(e)) return;
        setState(e instanceof ApiError ? e : new ApiError(0, 'client', `The viewer could not be loaded: ${String(e)}`));
      },
    );
    return () => ctl.abort();
  }, [apiUrlId]);
  const ops = doc ? Object.values(doc.paths ?? {}).reduce((t, p) => t + Object.keys(p).length, 0) : 0;
  return (
    <Section
      title="OpenAPI document"
      actions={doc && <span class="muted small">OpenAPI {doc.openapi} · {full(ops)} operations · read-only (“Try it out” is off)</span>}
    >
      {state === 'loading' && <Loading what="Loading the OpenAPI document" />}
      {state instanceof ApiError && <ErrorBanner error={state} title="Could not show the OpenAPI document." />}
      <div class="swagger-host" data-testid="openapi-viewer" ref={ref} />
    </Section>
  );
}

export function ApiPage({ apiUrlId }: { apiUrlId: string }) {
  useTitle(`API ${apiUrlId}`);
  const { data, error } = useFetch(`apis`, (signal) => api.apis(signal));
  const stages: ApiStage[] = (data?.apis ?? []).filter((a) => a.api_url_id === apiUrlId);
  const first = stages[0];
  return (
    <div class="page" data-testid="api-page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="/">Overview</a> › API
      </nav>
      <div class="page-head">
        <h1>
          API <span class="mono">{first?.api_id ?? apiUrlId}</span>
        </h1>
        {first && <span class="tag">{first.kind}</span>}
        {first && (
          <span class="muted small">
            {first.account_id ?? 'unknown account'} · {first.region ?? 'unknown region'}
          </span>
        )}
        <div class="page-actions">
          <a class="btn" href={endpointsHref({ api: apiUrlId })}>
            Endpoints
          </a>
          <DownloadButton apiUrlId={apiUrlId} ext="json" />
          <DownloadButton apiUrlId={apiUrlId} ext="yaml" />
        </div>
      </div>
      {error && <ErrorBanner error={error} title="Could not load the API's stages." />}
      {!data && !error && <Loading what="Loading stages" />}
      {data && stages.length === 0 && (
        <ErrorBanner error={new ApiError(404, 'not_found', `No API with id ${apiUrlId} in the inventory.`)} title="Unknown API." />
      )}
      {stages.length > 0 && (
        <Section title="Stages">
          <table class="table">
            <TableHead
              columns={[
                'Stage',
                'Domain names',
                'Log groups',
                numColumn('Endpoints'),
                numColumn('Requests'),
                numColumn('Noise', 'Requests on paths that matched no route (scanners)'),
                'First seen',
                'Last seen',
              ]}
            />
            <tbody>
              {stages.map((s) => (
                <tr key={s.stage ?? ''}>
                  <th scope="row">
                    <a href={endpointsHref({ api: apiUrlId, stage: s.stage ?? undefined })}>{s.stage ?? '(none)'}</a>
                  </th>
                  <td class="small">{s.domain_names.join(', ') || <span class="muted">–</span>}</td>
                  <td class="small">{s.log_groups.join(', ') || <span class="muted">–</span>}</td>
                  <td class="num">{full(s.endpoints)}</td>
                  <td class="num">
                    <Num n={s.requests} />
                  </td>
                  <td class="num" title={s.gated ? `${full(s.gated.noise_paths)} paths, ${full(s.gated.noise_requests)} requests` : undefined}>
                    {s.gated ? full(s.gated.noise_requests) : '–'}
                  </td>
                  <td>
                    <TimeAgo t={s.first_seen} />
                  </td>
                  <td>
                    <TimeAgo t={s.last_seen} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      )}
      <Viewer apiUrlId={apiUrlId} />
    </div>
  );
}
