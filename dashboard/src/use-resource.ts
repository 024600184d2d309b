// Fetches one REST snapshot and keeps it current: re-fetched when a live delta concerns it (at most once per
// second per view, coalescing bursts), after a resync or reconnect, and when its path changes.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from './api.js';
import { onLive, type Delta } from './live.js';

export interface Resource<T> {
  data: T | null;
  error: ApiError | Error | null;
  loading: boolean;
  updatedAt: string | null;
  reload: () => void;
}

export function useResource<T>(path: string | null, concerns: (d: Delta) => boolean = () => false): Resource<T> {
  const [state, setState] = useState<{ data: T | null; error: ApiError | Error | null; loading: boolean; updatedAt: string | null }>({
    data: null,
    error: null,
    loading: true,
    updatedAt: null,
  });
  const concernsRef = useRef(concerns);
  concernsRef.current = concerns;
  const gen = useRef(0);
  const timer = useRef<number | undefined>(undefined);
  const lastFetch = useRef(0);

  const load = () => {
    if (!path) return;
    const mine = ++gen.current;
    lastFetch.current = Date.now();
    api<T>(path).then(
      (data) => mine === gen.current && setState({ data, error: null, loading: false, updatedAt: new Date().toISOString() }),
      (error: Error) => mine === gen.current && setState((s) => ({ ...s, error, loading: false })),
    );
  };

  useEffect(() => {
    setState((s) => ({ ...s, loading: true }));
    load();
    const off = onLive((d) => {
      if (d !== 'resync' && !d.some((x) => concernsRef.current(x))) return;
      if (timer.current !== undefined) return;
      const wait = Math.max(100, lastFetch.current + 1000 - Date.now());
      timer.current = window.setTimeout(() => {
        timer.current = undefined;
        load();
      }, wait);
    });
    return () => {
      off();
      window.clearTimeout(timer.current);
      timer.current = undefined;
      gen.current++;
    };
  }, [path]);

  return { ...state, reload: load };
}
