import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { setOnUnauthorized } from './api';
import { probe, setOnExpired, useAuthMode } from './auth';
import { Loading } from './components/common';
import { Layout } from './components/Layout';
import { ApiPage } from './pages/ApiPage';
import { EndpointDetailPage } from './pages/EndpointDetail';
import { EndpointsPage } from './pages/Endpoints';
import { LoginPage, safeNext } from './pages/Login';
import { NotFound } from './pages/NotFound';
import { OverviewPage } from './pages/Overview';
import './styles.css';

function here(): string {
  return window.location.pathname + window.location.search;
}

function loginUrl(): string {
  const cur = here();
  return cur.startsWith('/login') ? cur : `/login?next=${encodeURIComponent(cur)}`;
}

function App() {
  const { path, query, route } = useLocation();
  const mode = useAuthMode();

  useEffect(() => {
    const toLogin = () => route(loginUrl(), true);
    setOnUnauthorized(toLogin);
    setOnExpired(toLogin);
    void probe();
  }, []);

  useEffect(() => {
    if (mode === 'login' && path !== '/login') route(loginUrl(), true);
    if ((mode === 'none' || mode === 'token') && path === '/login') route(safeNext(query.next), true);
  }, [mode, path]);

  if (mode === 'unknown') return <Loading what="Connecting" />;
  if (path === '/login') return mode === 'login' ? <LoginPage /> : <Loading />;
  if (mode === 'login') return <Loading />;
  return (
    <Layout>
      <Router>
        <Route path="/" component={OverviewPage} />
        <Route path="/endpoints" component={EndpointsPage} />
        <Route path="/endpoints/:id" component={EndpointDetailPage} />
        <Route path="/apis/:apiUrlId" component={ApiPage} />
        <Route default component={NotFound} />
      </Router>
    </Layout>
  );
}

render(
  <LocationProvider>
    <App />
  </LocationProvider>,
  document.getElementById('app')!,
);
