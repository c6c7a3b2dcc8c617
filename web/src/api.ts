// Typed client for the gatescope server's JSON API (docs/specs/server.md, dashboard.md).
import { forgetToken, noteNoAuth, token } from './auth';

// ---- Types of the server's answers ------------------------------------------------------

export type Time = string; // ISO 8601 UTC with milliseconds

export interface ApiStage {
  api_id: string;
  api_url_id: string;
  stage: string | null;
  kind: string;
  account_id: string | null;
  region: string | null;
  domain_names: string[];
  log_groups: string[];
  requests: number;
  endpoints: number;
  first_seen: Time | null;
  last_seen: Time | null;
  gated?: {
    noise_requests: number;
    noise_paths: number;
    below_threshold_requests: number;
    below_threshold_endpoints: number;
  };
}

export interface ApisAnswer {
  apis: ApiStage[];
  unattributed: number;
}

/** What names an endpoint: its id, API and stage, method and path template, and where the template came from. */
export interface EndpointIdentity {
  id: string;
  api_id: string;
  api_url_id: string;
  stage: string | null;
  method: string;
  path: string;
  template_source: string;
  source: 'gateway' | 'inferred' | 'concrete' | string;
  route: string | null;
}

export interface EndpointSummary extends EndpointIdentity {
  requests: number;
  status_classes: Record<string, number>;
  errors: Record<string, number>;
  first_seen: Time | null;
  last_seen: Time | null;
  latency_ms: { p50: number; p95: number; p99: number } | null;
  auth: string[];
  /** authenticated | unauthenticated | unknown (newer servers). */
  auth_coverage?: AuthCoverage;
  tags: string[];
}

export type AuthCoverage = 'authenticated' | 'unauthenticated' | 'unknown';

export interface EndpointPage {
  endpoints: EndpointSummary[];
  total: number;
  next_cursor: string | null;
}

export interface Series {
  start: Time;
  step_ms: number;
  requests: number[];
  client_errors: number[];
  server_errors: number[];
  latency_mean_ms?: Array<number | null>;
  latency_max_ms?: Array<number | null>;
}

export interface Traffic {
  hourly: Series;
  daily: Series;
}

export interface LatencyStats {
  count: number;
  p50: number;
  p95: number;
  p99?: number;
  max: number;
}

/** A query parameter, header or cookie (older servers give only a count). */
export interface FieldStats {
  count: number;
  type?: string;
  format?: string;
  sensitive?: string[];
  example_redacted?: string;
  required?: boolean;
}

export interface BodyStats {
  count: number;
  truncated: number;
  /** JSON Schema of the bodies; null when they were not JSON or form data. */
  schema: JsonSchema | null;
  sensitive_fields: SensitiveField[];
}

export interface Content {
  requests_logged: number;
  coverage_full: number;
  partial: number;
  query_observed: number;
  query_parameters: Record<string, FieldStats | number>;
  request_headers_observed: number;
  request_headers: Record<string, FieldStats | number>;
  cookies?: Record<string, FieldStats | number>;
  response_headers: Record<string, number>;
  request_bodies: Record<string, BodyStats>;
  response_bodies: Record<string, Record<string, BodyStats>>;
}

export interface InferredParameter {
  name: string;
  rule: string;
  distinct_values: number;
  requests: number;
  classes: Record<string, number>;
  constant_siblings: string[];
  examples: string[];
}

export interface AuthStats {
  requests_observed?: number;
  without_credentials?: number;
  schemes?: Record<string, number>;
  api_key_headers?: Record<string, number>;
  api_key_query?: Record<string, number>;
  jwt_claims?: string[] | Record<string, number>;
  authorizer_ids?: string[] | Record<string, number>;
  [key: string]: unknown;
}

export interface EndpointDetail extends EndpointIdentity {
  parameters_inferred?: InferredParameter[];
  requests: number;
  status_codes: Record<string, number>;
  first_seen: Time | null;
  last_seen: Time | null;
  latency_ms: { response: LatencyStats | null; integration: LatencyStats | null } | null;
  log_sources?: Record<string, number>;
  errors?: Record<string, number>;
  content?: Content | null;
  auth?: AuthStats | null;
  auth_schemes: string[];
  auth_coverage?: AuthCoverage;
  tags: string[];
  /** null when the server kept no buckets for it (data stored by an older server). */
  traffic?: Traffic | null;
}

export interface OverviewStage {
  stage: string | null;
  endpoints: number;
  requests: number;
  client_errors: number;
  server_errors: number;
  first_seen: Time | null;
  last_seen: Time | null;
  unseen_endpoints: number;
}

export interface OverviewApi {
  api_id: string;
  api_url_id: string;
  kind: string;
  domain_names: string[];
  endpoints: number;
  requests: number;
  stages: OverviewStage[];
}

export interface Overview {
  as_of: Time;
  latest_traffic: Time | null;
  totals: {
    apis: number;
    stages: number;
    endpoints: number;
    requests: number;
    client_errors: number;
    server_errors: number;
    unattributed: number;
  };
  groups: Array<{ account_id: string | null; region: string | null; apis: OverviewApi[] }>;
  traffic: Traffic;
  new_endpoints: { last_day: number; last_week: number; recent: EndpointSummary[] };
  auth: {
    authenticated: number;
    unauthenticated: number;
    unknown: number;
    by_scheme: Record<string, number>;
  };
  sensitive: { endpoints: number; by_tag: Record<string, number>; top: EndpointSummary[] };
  zombies: { unseen_7d: number; unseen_30d: number; top: EndpointSummary[] };
}

/** The subset of JSON Schema (OpenAPI 3.1) that gatescope writes. */
export interface JsonSchema {
  type?: string | string[];
  format?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  enum?: unknown[];
  example?: unknown;
  examples?: unknown[];
  $ref?: string;
  'x-gatescope-sensitive'?: string[];
  [key: string]: unknown;
}

export interface SensitiveField {
  pointer: string;
  sensitive: string[];
  count: number;
  example_redacted?: string;
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, unknown>>;
  components?: { securitySchemes?: Record<string, Record<string, unknown>>; schemas?: Record<string, JsonSchema> };
  [key: string]: unknown;
}

// ---- The client ---------------------------------------------------------------------------

/** An error answer: `{"error","message"}` (or OAuth2's `error_description`), or no answer. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let onUnauthorized: () => void = () => {};

/** The app sends the user to the login page when any call answers 401. */
export function setOnUnauthorized(fn: () => void): void {
  onUnauthorized = fn;
}

export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}

async function request(path: string, signal?: AbortSignal, accept = 'application/json'): Promise<Response> {
  const headers: Record<string, string> = { Accept: accept };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  let r: Response;
  try {
    r = await fetch(path, { headers, signal, credentials: 'omit' });
  } catch (e) {
    if (isAbort(e)) throw e;
    throw new ApiError(0, 'network', 'The server did not answer. Is gatescope serve running?');
  }
  if (r.status === 401) {
    forgetToken();
    onUnauthorized();
    throw new ApiError(401, 'unauthorized', 'Your session ended: log in again.');
  }
  if (!r.ok) {
    let code = `http_${r.status}`;
    let message = `${r.status} ${r.statusText || 'error'} from ${path.split('?')[0]}`;
    try {
      const j = (await r.json()) as { error?: string; message?: string; error_description?: string };
      if (j.error) code = j.error;
      if (j.message || j.error_description) message = (j.message ?? j.error_description)!;
    } catch {
      // Keep the generic message.
    }
    throw new ApiError(r.status, code, message);
  }
  if (!t) noteNoAuth();
  return r;
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const r = await request(path, signal);
  return (await r.json()) as T;
}

/** Fetches a file with the token and returns it as a Blob (for downloads). */
export async function getBlob(path: string, accept: string, signal?: AbortSignal): Promise<Blob> {
  const r = await request(path, signal, accept);
  return r.blob();
}

function qs(params: Record<string, string | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

export const api = {
  overview: (asOf: string | undefined, signal?: AbortSignal) =>
    getJson<Overview>(`/v1/overview${qs({ as_of: asOf })}`, signal),
  apis: (signal?: AbortSignal) => getJson<ApisAnswer>('/v1/apis', signal),
  endpoints: (params: Record<string, string | undefined>, signal?: AbortSignal) =>
    getJson<EndpointPage>(`/v1/endpoints${qs(params)}`, signal),
  endpoint: (id: string, signal?: AbortSignal) =>
    getJson<EndpointDetail>(`/v1/endpoints/${encodeURIComponent(id)}`, signal),
  openapi: (apiUrlId: string, signal?: AbortSignal) =>
    getJson<OpenApiDocument>(`/v1/apis/${encodeURIComponent(apiUrlId)}/openapi.json`, signal),
  openapiUrl: (apiUrlId: string, ext: 'json' | 'yaml') =>
    `/v1/apis/${encodeURIComponent(apiUrlId)}/openapi.${ext}`,
};

let apisCache: { at: number; p: Promise<ApisAnswer> } | undefined;
/** GET /v1/apis, shared by the pages for 30 s (filter options, endpoint counts). */
export function cachedApis(): Promise<ApisAnswer> {
  if (!apisCache || Date.now() - apisCache.at > 30_000) {
    const p = api.apis();
    apisCache = { at: Date.now(), p };
    p.catch(() => (apisCache = undefined));
  }
  return apisCache.p;
}
