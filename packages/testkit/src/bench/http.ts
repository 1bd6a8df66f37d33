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

  /** headers of the administrator (catalog publication, account management) when authentication is on */
  adminHeaders: Record<string, string> = {};
  /** headers of an operator (detailed health: consumer lags) when authentication is on */
  opsHeaders: Record<string, string> = {};

  request(method: string, path: string, body?: string, timeoutMs = 60_000, headers: Record<string, string> = this.headers): Promise<HttpAnswer> {
    const url = new URL(path, this.baseUrl);
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            ...headers,
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

  async json<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    const r = await this.request(method, path, body === undefined ? undefined : JSON.stringify(body), 60_000, headers ?? this.headers);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
    return r.body as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Signs in; returns the headers that authenticate (Bearer token or session cookie). */
async function signIn(client: HttpClient, username: string, password: string): Promise<Record<string, string> | undefined> {
  const r = await client.request('POST', '/api/v1/auth/login', JSON.stringify({ username, password }), 30_000, {});
  if (r.status === 404) return undefined;
  if (r.status >= 300) throw new Error(`login as ${username} failed: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  const body = (r.body ?? {}) as Record<string, unknown>;
  const token = [body.token, body.accessToken, body.access_token].find((t) => typeof t === 'string') as string | undefined;
  const cookies = body.__cookies as string[] | undefined;
  if (token) return { authorization: `Bearer ${token}` };
  if (cookies?.length) return { cookie: cookies.map((c) => c.split(';')[0]).join('; ') };
  throw new Error(`login answered ${r.status} but gave neither a token nor a cookie: ${JSON.stringify(body).slice(0, 300)}`);
}

/** The account the bench reads consumer lags with (GET /api/v1/health is for operators; /health says only up). */
export const BENCH_OPERATOR = 'bench.operator';

async function ensureAccount(client: HttpClient, admin: Record<string, string>, username: string, password: string, role: string): Promise<Record<string, string> | undefined> {
  const created = await client.request('POST', '/api/v1/accounts', JSON.stringify({ username, password, role, orgUnit: 'VN' }), 30_000, admin);
  if (created.status >= 300 && !JSON.stringify(created.body).match(/EXISTS|CONFLICT|already/i)) {
    throw new Error(`creating the account ${username} failed: ${created.status} ${JSON.stringify(created.body).slice(0, 300)}`);
  }
  return signIn(client, username, password);
}

/** The account the bench submits with: a commune officer with national scope (an administrator may not submit). */
export const BENCH_SUBMITTER = 'bench.submitter';

/**
 * When the platform has authentication (POST /api/v1/auth/login answers anything but 404): signs in as admin
 * (kept in `adminHeaders` for the catalog), creates the submitting account once (commune_officer on VN, so it may
 * report for every commune) and signs in with it (kept in `headers`). Returns whether authentication is on.
 */
export async function loginIfNeeded(client: HttpClient, adminPassword: string | undefined): Promise<boolean> {
  client.headers = {};
  client.adminHeaders = {};
  client.opsHeaders = {};
  if (process.env.TALLY_AUTH === 'off') return false;
  const admin = await signIn(client, 'admin', adminPassword ?? '');
  if (!admin) return false;
  client.adminHeaders = admin;
  const submitterPassword = `${adminPassword ?? ''}-submitter`;
  const created = await client.request(
    'POST',
    '/api/v1/accounts',
    JSON.stringify({ username: BENCH_SUBMITTER, password: submitterPassword, role: 'commune_officer', orgUnit: 'VN' }),
    30_000,
    admin,
  );
  // 409-like answers mean it exists already (a restart during chaos)
  if (created.status >= 300 && !JSON.stringify(created.body).match(/EXISTS|CONFLICT|already/i)) {
    throw new Error(`creating the bench account failed: ${created.status} ${JSON.stringify(created.body).slice(0, 300)}`);
  }
  client.headers = (await signIn(client, BENCH_SUBMITTER, submitterPassword)) ?? {};
  client.opsHeaders = (await ensureAccount(client, admin, BENCH_OPERATOR, `${adminPassword ?? ''}-operator`, 'operator')) ?? {};
  return true;
}
