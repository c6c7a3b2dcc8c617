// Data loading with cancellation: a new key aborts the request in flight for the old one.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, isAbort } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
}

export function useFetch<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ data: undefined, error: undefined, loading: key !== null });
  useEffect(() => {
    if (key === null) return;
    const ctl = new AbortController();
    // Keep the previous data on screen while the next page loads (no flashing tables).
    setState((s) => ({ data: s.data, error: undefined, loading: true }));
    load(ctl.signal).then(
      (data) => {
        if (!ctl.signal.aborted) setState({ data, error: undefined, loading: false });
      },
      (e: unknown) => {
        if (ctl.signal.aborted || isAbort(e)) return;
        const err = e instanceof ApiError ? e : new ApiError(0, 'client', String(e));
        setState({ data: undefined, error: err, loading: false });
      },
    );
    return () => ctl.abort();
  }, [key]);
  return state;
}

/** `value`, updated only after it has stopped changing for `delay` ms. */
export function useDebounced<T>(value: T, delay: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), delay);
    return () => clearTimeout(t);
  }, [value, delay]);
  return v;
}

export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · gatescope` : 'gatescope';
  }, [title]);
}
