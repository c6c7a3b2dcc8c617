import { render } from 'preact';

// Placeholder: the dashboard app (docs/specs/dashboard.md) replaces this.
render(<main data-testid="overview">gatescope</main>, document.getElementById('app')!);
