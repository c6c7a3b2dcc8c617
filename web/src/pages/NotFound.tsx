import { useTitle } from '../hooks';

export function NotFound() {
  useTitle('Not found');
  return (
    <div class="page">
      <h1>Page not found</h1>
      <p class="muted">
        There is no page at this address. Go to the <a href="/">overview</a> or the <a href="/endpoints">endpoint list</a>.
      </p>
    </div>
  );
}
