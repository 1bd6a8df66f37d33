import { TallyError, type StoredEvent } from '@tally/contracts';

/** What a linked deployment asks its upstream (over HTTP with the sync account's token; tests inject one). */
export interface UpstreamClient {
  /** the upstream's events a downstream takes (catalog, hierarchy, targets of its subtree) after a position */
  pull(after: number, limit: number): Promise<{ events: StoredEvent[]; next: number; head: number }>;
  /** local report events for the upstream to mirror, in order */
  push(events: StoredEvent[]): Promise<{ appended: number; duplicates: number }>;
}

export function httpUpstreamClient(baseUrl: string, token: string, timeoutMs = 30_000): UpstreamClient {
  const base = baseUrl.replace(/\/+$/, '');
  const call = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const json = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } } & T;
    if (!response.ok) throw new TallyError('UNAVAILABLE', `upstream ${method} ${path}: ${response.status} ${json.error?.code ?? ''} ${json.error?.message ?? ''}`.trim(), json.error);
    return json;
  };
  return {
    pull: (after, limit) => call('GET', `/api/v1/sync/events?after=${after}&limit=${limit}`),
    push: (events) => call('POST', '/api/v1/sync/events', { events }),
  };
}
