/**
 * The one way the app talks to the platform: the public HTTP API (docs/api.md), JSON in and out, the session's
 * bearer token, and errors as values with the API's machine-readable `code`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** the whole answer (e.g. an import summary sent with a 409) */
    readonly body?: unknown,
  ) {
    super(message);
  }
  /** no answer at all (offline, server down): the request may be retried as is */
  get network(): boolean {
    return this.status === 0;
  }
}

const TOKEN_KEY = 'tally.token';

export const session = {
  get token(): string | null {
    return localStorage.getItem(TOKEN_KEY);
  },
  set token(value: string | null) {
    if (value) localStorage.setItem(TOKEN_KEY, value);
    else localStorage.removeItem(TOKEN_KEY);
  },
};

export type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export async function api<T>(method: string, path: string, body?: unknown, init: { raw?: BodyInit; contentType?: string; onHeaders?: (headers: Headers) => void } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = session.token;
  if (token) headers.authorization = `Bearer ${token}`;
  let payload: BodyInit | undefined;
  if (init.raw !== undefined) {
    payload = init.raw;
    headers['content-type'] = init.contentType ?? 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, { method, headers, body: payload });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', (err as Error).message || 'network error');
  }
  init.onHeaders?.(response.headers);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const e = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    if (response.status === 401 && path !== '/auth/login') {
      session.token = null;
      window.dispatchEvent(new Event('tally:signed-out'));
    }
    throw new ApiError(response.status, e?.code ?? `HTTP_${response.status}`, e?.message ?? response.statusText, e?.details, json);
  }
  return json as T;
}

export const get = <T>(path: string, query?: Query) => api<T>('GET', withQuery(path, query));
/** One page of a list the API pages by cursor: the items and the cursor of the next page (`x-next-after`), if any. */
export async function getPage<T>(path: string, query: Query): Promise<{ items: T[]; next: string | undefined }> {
  let next: string | undefined;
  const items = await api<T[]>('GET', withQuery(path, query), undefined, { onHeaders: (h) => (next = h.get('x-next-after') ?? undefined) });
  return { items, next };
}
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Downloads a file the API answers (with the session's token) and saves it as `filename`; an error answer is thrown as ApiError. */
export async function download(path: string, query: Query, filename: string): Promise<void> {
  const r = await fetch(`/api/v1${withQuery(path, query)}`, { headers: session.token ? { authorization: `Bearer ${session.token}` } : {} }).catch(() => null);
  if (!r || !r.ok) {
    const body = r ? ((await r.json().catch(() => ({}))) as { error?: { code?: string; message?: string } }) : {};
    throw new ApiError(r?.status ?? 0, body.error?.code ?? 'NETWORK', body.error?.message ?? 'download failed');
  }
  const blob = await r.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** Runs `f` over items with at most `limit` requests in flight (the API rate-limits each account). */
export async function pool<T, R>(items: readonly T[], limit: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
