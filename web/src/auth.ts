// The dashboard's login state: an OAuth2 client-credentials token in sessionStorage (gone
// when the tab closes), or "none" when the server runs with --no-auth.
import { useEffect, useState } from 'preact/hooks';

const KEY = 'gatescope.token';

interface StoredToken {
  token: string;
  /** Unix ms after which the server refuses the token. */
  expiresAt: number;
}

/** unknown: not probed yet; token: logged in; login: a token is needed; none: --no-auth. */
export type AuthMode = 'unknown' | 'token' | 'login' | 'none';

let mode: AuthMode = 'unknown';
const listeners = new Set<(m: AuthMode) => void>();
let expiryTimer: ReturnType<typeof setTimeout> | undefined;
let onExpired: () => void = () => {};

function read(): StoredToken | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const t = JSON.parse(raw) as StoredToken;
    if (typeof t.token !== 'string' || typeof t.expiresAt !== 'number') return null;
    if (t.expiresAt <= Date.now()) {
      sessionStorage.removeItem(KEY);
      return null;
    }
    return t;
  } catch {
    return null;
  }
}

function setMode(m: AuthMode): void {
  mode = m;
  for (const l of listeners) l(m);
}

function armExpiry(t: StoredToken | null): void {
  if (expiryTimer !== undefined) clearTimeout(expiryTimer);
  expiryTimer = undefined;
  if (!t) return;
  // setTimeout's delay is a signed 32-bit number of ms: clamp (tokens live at most a day).
  const delay = Math.min(Math.max(t.expiresAt - Date.now(), 0), 2 ** 31 - 1);
  expiryTimer = setTimeout(() => {
    forgetToken();
    onExpired();
  }, delay);
}

/** The bearer token to send, or null (no token, expired, or --no-auth). */
export function token(): string | null {
  if (mode === 'none') return null;
  return read()?.token ?? null;
}

export function authMode(): AuthMode {
  return mode;
}

/** Called when the token expires while a page is open (the app sends the user to login). */
export function setOnExpired(fn: () => void): void {
  onExpired = fn;
}

export function storeToken(accessToken: string, expiresInSeconds: number): void {
  // A little early, so a request never leaves with a token that expires on the way.
  const t = { token: accessToken, expiresAt: Date.now() + Math.max(expiresInSeconds - 5, 1) * 1000 };
  sessionStorage.setItem(KEY, JSON.stringify(t));
  armExpiry(t);
  setMode('token');
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
  armExpiry(null);
  if (mode !== 'none') setMode('login');
}

/**
 * Decides the mode once at start: a stored token means logged in; else the server says whether
 * it runs with --no-auth (then reads answer without a token).
 */
export async function probe(): Promise<AuthMode> {
  const t = read();
  if (t) {
    armExpiry(t);
    setMode('token');
    return mode;
  }
  // /readyz says whether the server checks tokens ({"auth": false} under --no-auth) without
  // a 401 in the console; a read without a token decides when it does not say.
  try {
    const r = await fetch('/readyz', { headers: { Accept: 'application/json' }, credentials: 'omit' });
    const j = (await r.json()) as { auth?: unknown };
    if (typeof j.auth === 'boolean') {
      setMode(j.auth ? 'login' : 'none');
      return mode;
    }
  } catch {
    // Not JSON or no answer: ask a read below.
  }
  try {
    const r = await fetch('/v1/apis', { headers: { Accept: 'application/json' }, credentials: 'omit' });
    setMode(r.ok ? 'none' : 'login');
  } catch {
    setMode('login');
  }
  return mode;
}

/** Marks the server as --no-auth (a read answered without a token). */
export function noteNoAuth(): void {
  if (mode !== 'none') setMode('none');
}

export interface LoginFailure {
  status: number;
  message: string;
}

/**
 * POST /oauth2/token with client_secret_post. Resolves on success; rejects with the server's
 * message (never the secret) otherwise.
 */
export async function login(clientId: string, clientSecret: string): Promise<void> {
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    scope: 'inventory:read',
    client_id: clientId,
    client_secret: clientSecret,
  });
  let r: Response;
  try {
    // credentials: 'omit' keeps the browser from answering the token endpoint's
    // `WWW-Authenticate: Basic` 401 with its own password prompt (the request would hang).
    r = await fetch('/oauth2/token', {
      method: 'POST',
      credentials: 'omit',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body,
    });
  } catch {
    throw { status: 0, message: 'The server did not answer. Is gatescope serve running?' } as LoginFailure;
  }
  let json: Record<string, unknown> = {};
  try {
    json = (await r.json()) as Record<string, unknown>;
  } catch {
    // Not JSON: reported below by status.
  }
  if (!r.ok || typeof json.access_token !== 'string') {
    const msg =
      (typeof json.message === 'string' && json.message) ||
      (typeof json.error_description === 'string' && json.error_description) ||
      (typeof json.error === 'string' && json.error) ||
      `Login failed (HTTP ${r.status}).`;
    throw { status: r.status, message: msg } as LoginFailure;
  }
  const expiresIn = typeof json.expires_in === 'number' ? json.expires_in : 3600;
  storeToken(json.access_token, expiresIn);
}

export function useAuthMode(): AuthMode {
  const [m, setM] = useState<AuthMode>(mode);
  useEffect(() => {
    listeners.add(setM);
    setM(mode);
    return () => {
      listeners.delete(setM);
    };
  }, []);
  return m;
}
