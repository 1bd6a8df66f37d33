import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, get } from './api';
import type { OrgUnit } from './types';

/** Loads something from the API when the dependencies change; `reload` fetches again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | undefined; error: ApiError | undefined; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (err: unknown) => live && setState({ error: err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err)), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function useOnline(): boolean {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(navigator.onLine);
    window.addEventListener('online', on);
    window.addEventListener('offline', on);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', on);
    };
  }, []);
  return online;
}

/** The org unit of a code (name, level), or null while unknown or not found. */
export function useOrgUnit(code: string, hierarchy?: string): OrgUnit | null {
  const [unit, setUnit] = useState<OrgUnit | null>(null);
  useEffect(() => {
    let live = true;
    setUnit(null);
    if (code) {
      get<{ unit: OrgUnit }>(`/org-units/${encodeURIComponent(code)}`, { hierarchy }).then(
        (r) => live && setUnit(r.unit),
        () => live && setUnit(null),
      );
    }
    return () => {
      live = false;
    };
  }, [code, hierarchy]);
  return unit;
}
