import { ApiError } from './api';

/**
 * Reference answers (the catalog) kept in localStorage so a form opened before can be opened again without a
 * connection: the network first, the last answer when the network fails.
 */
export async function networkFirst<T>(key: string, load: () => Promise<T>): Promise<T> {
  const storageKey = `tally.cache.${key}`;
  try {
    const value = await load();
    try {
      localStorage.setItem(storageKey, JSON.stringify(value));
    } catch {
      // storage full: the answer is still good, only not kept
    }
    return value;
  } catch (err) {
    const kept = err instanceof ApiError && err.network ? localStorage.getItem(storageKey) : null;
    if (kept) return JSON.parse(kept) as T;
    throw err;
  }
}
