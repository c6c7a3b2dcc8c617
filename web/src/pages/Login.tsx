// The login form: a client id and secret exchanged for a read-only token.
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { login, type LoginFailure } from '../auth';
import { useTitle } from '../hooks';

/** Only same-origin paths are followed after login (no open redirect). */
export function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/login')) return '/';
  return next;
}

export function LoginPage() {
  const { query, route } = useLocation();
  const [clientId, setClientId] = useState('');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useTitle('Log in');

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await login(clientId.trim(), secret);
      setSecret('');
      route(safeNext(query.next), true);
    } catch (err) {
      setError((err as LoginFailure).message ?? 'Login failed.');
      setBusy(false);
    }
  };

  return (
    <div class="login-wrap">
      <form class="login" data-testid="login-form" onSubmit={submit} aria-labelledby="login-title">
        <div class="brand brand-lg">gatescope</div>
        <h1 id="login-title">Log in to the API inventory</h1>
        <p class="muted small">
          Use an OAuth2 client with the <code>inventory:read</code> scope, e.g. one made with{' '}
          <code>gatescope auth add-client --id dashboard --scope inventory:read</code>.
        </p>
        {error && (
          <div class="banner banner-error" role="alert" data-testid="login-error">
            {error}
          </div>
        )}
        <label for="client-id">Client id</label>
        <input
          id="client-id"
          name="client_id"
          data-testid="login-client-id"
          autoComplete="username"
          required
          autoFocus
          value={clientId}
          onInput={(e) => setClientId((e.target as HTMLInputElement).value)}
        />
        <label for="client-secret">Client secret</label>
        <input
          id="client-secret"
          name="client_secret"
          type="password"
          data-testid="login-client-secret"
          autoComplete="current-password"
          required
          value={secret}
          onInput={(e) => setSecret((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="btn btn-primary" data-testid="login-submit" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
        <p class="muted small">The token is kept for this tab only and forgotten when you log out.</p>
      </form>
    </div>
  );
}
