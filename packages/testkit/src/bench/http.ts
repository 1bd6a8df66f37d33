import { Agent, request as httpRequest } from 'node:http';

export interface HttpAnswer {
  status: number;
  body: unknown;
  ms: number;
}

/**
 * A small keep-alive JSON client: node:http with a bounded socket pool (cheaper per request than fetch,
 * which matters when the client shares two cores with the server it measures).
 */
export class HttpClient {
  readonly agent: Agent;
  headers: Record<string, string> = {};

  constructor(
    public baseUrl: string,
    maxSockets = 64,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  request(method: string, path: string, body?: string, timeoutMs = 60_000): Promise<HttpAnswer> {
    const url = new URL(path, this.baseUrl);
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            ...this.headers,
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              /* not JSON: keep the text */
            }
            const headerCookies = res.headers['set-cookie'];
            if (headerCookies && method === 'POST' && path.endsWith('/auth/login')) (parsed as Record<string, unknown>)['__cookies'] = headerCookies;
            resolve({ status: res.statusCode ?? 0, body: parsed, ms: performance.now() - t0 });
          });
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${method} ${path}`)));
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  async json<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.request(method, path, body === undefined ? undefined : JSON.stringify(body));
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
    return r.body as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * Signs in as admin when the platform has authentication (POST /api/v1/auth/login answers anything but 404),
 * and keeps the token (Bearer) or session cookie on the client. Returns whether it signed in.
 */
export async function loginIfNeeded(client: HttpClient, password: string | undefined): Promise<boolean> {
  if (process.env.TALLY_AUTH === 'off') return false;
  const r = await client.request('POST', '/api/v1/auth/login', JSON.stringify({ username: 'admin', password: password ?? '' }));
  if (r.status === 404) return false;
  if (r.status >= 300) throw new Error(`login as admin failed: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  const body = (r.body ?? {}) as Record<string, unknown>;
  const token = [body.token, body.accessToken, body.access_token, (body.session as Record<string, unknown> | undefined)?.token].find((t) => typeof t === 'string') as string | undefined;
  if (token) client.headers.authorization = `Bearer ${token}`;
  const cookies = body.__cookies as string[] | undefined;
  if (cookies?.length) client.headers.cookie = cookies.map((c) => c.split(';')[0]).join('; ');
  if (!token && !cookies?.length) throw new Error(`login answered ${r.status} but gave neither a token nor a cookie: ${JSON.stringify(body).slice(0, 300)}`);
  return true;
}
