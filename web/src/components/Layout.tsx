// The frame of every page: top bar with navigation and logout.
import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { forgetToken, useAuthMode } from '../auth';

export function Layout({ children }: { children: ComponentChildren }) {
  const { path, route } = useLocation();
  const mode = useAuthMode();
  const at = (p: string) => (p === '/' ? path === '/' : path.startsWith(p));
  return (
    <div class="app">
      <header class="topbar">
        <a class="brand" href="/" aria-label="gatescope overview">
          <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true">
            <circle cx="11" cy="11" r="7" fill="none" stroke="currentColor" stroke-width="2.5" />
            <path d="M16 16l5 5" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" />
            <path d="M8 11h6M11 8v6" stroke="currentColor" stroke-width="2" />
          </svg>
          gatescope
        </a>
        <nav class="nav" aria-label="Main">
          <a href="/" data-testid="nav-overview" class={at('/') ? 'active' : ''} aria-current={at('/') ? 'page' : undefined}>
            Overview
          </a>
          <a
            href="/endpoints"
            data-testid="nav-endpoints"
            class={at('/endpoints') ? 'active' : ''}
            aria-current={at('/endpoints') ? 'page' : undefined}
          >
            Endpoints
          </a>
        </nav>
        <div class="topbar-right">
          {mode === 'none' && (
            <span class="muted small" title="The server runs with --no-auth: anyone who can connect may read">
              no authentication
            </span>
          )}
          {mode === 'token' && (
            <button
              type="button"
              class="btn btn-ghost"
              data-testid="logout"
              onClick={() => {
                forgetToken();
                route('/login');
              }}
            >
              Log out
            </button>
          )}
        </div>
      </header>
      <main class="content">{children}</main>
    </div>
  );
}
