import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Logger, type TallyConfig } from '@tally/runtime';
import type { AuthSettings } from '@tally/auth';
import { demoCatalog, startEmbeddedPlatform, type RunningPlatform } from '../src';
import { realRegistry, type TestPlatform } from './helpers';

/**
 * Test platforms with authentication ON, and small helpers to act as an account.
 * (Existing tests use startTestPlatform, which runs with TALLY_AUTH=off.)
 */
export const ADMIN_PASSWORD = 'admin-test-password-1719';

export interface AuthTestPlatform extends TestPlatform {
  adminToken: string;
}

export async function startAuthPlatform(
  options: { dataDir?: string; withCatalog?: boolean; auth?: Partial<AuthSettings>; logger?: Logger; config?: Partial<TallyConfig> } = {},
): Promise<AuthTestPlatform> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tally-auth-test-'));
  const running = await startEmbeddedPlatform({
    config: { dataDir, demo: false, readYourWritesTimeoutMs: 5_000, auth: 'on', ...options.config },
    logger: options.logger ?? createLogger('test', 'silent'),
    registry: realRegistry(),
    // a cheaper scrypt than production (N=2^15) keeps the many sign-ins of these tests fast; auth.e2e checks the default
    auth: { adminPassword: ADMIN_PASSWORD, tokenSecret: 'test-secret-test-secret-test-secret-0123', print: () => {}, scrypt: { N: 4096, r: 8, p: 1 }, ...options.auth },
  });
  const adminToken = await loginAsAdmin(running);
  if (options.withCatalog !== false) {
    const r = await running.app.inject({ method: 'PUT', url: '/api/v1/catalog', payload: demoCatalog() as object, headers: bearer(adminToken) });
    if (r.statusCode >= 300) throw new Error(`catalog refused: ${r.body}`);
  }
  return {
    ...running,
    dataDir,
    adminToken,
    async dispose() {
      await running.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

export async function login(p: RunningPlatform, username: string, password: string): Promise<string> {
  const r = await p.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  if (r.statusCode !== 200) throw new Error(`login ${username} failed: ${r.statusCode} ${r.body}`);
  return (r.json() as { token: string }).token;
}

export const loginAsAdmin = (p: RunningPlatform): Promise<string> => login(p, 'admin', ADMIN_PASSWORD);

/** Creates an account (as admin) and signs in as it; the password is `<username>-password-1719`. */
export async function accountToken(p: AuthTestPlatform, username: string, role: string, orgUnit: string): Promise<string> {
  const password = `${username}-pass-1719`.replace(username, 'x');
  const r = await p.app.inject({ method: 'POST', url: '/api/v1/accounts', payload: { username, password, role, orgUnit }, headers: bearer(p.adminToken) });
  if (r.statusCode !== 201) throw new Error(`account ${username} refused: ${r.statusCode} ${r.body}`);
  return login(p, username, password);
}

export interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

/** Calls the API as the holder of `token` (undefined: anonymous). */
export function as(p: RunningPlatform, token: string | undefined) {
  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown): Promise<Answer> => {
    const r = await p.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }), headers: token ? bearer(token) : {} });
    let body: unknown;
    try {
      body = r.json();
    } catch {
      body = undefined;
    }
    return { status: r.statusCode, headers: r.headers, body, text: r.body };
  };
  return {
    get: (url: string) => call('GET', url),
    post: (url: string, payload: unknown = {}) => call('POST', url, payload),
    put: (url: string, payload: unknown) => call('PUT', url, payload),
  };
}
