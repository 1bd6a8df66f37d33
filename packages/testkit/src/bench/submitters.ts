import { randomBytes } from 'node:crypto';
import { sleep } from '../infra/process';
import type { HttpClient } from './http';

/**
 * Who sends the bench's reports. On a reporting day every commune has its own officer, and every account its own
 * rate limit (TALLY_RATE_LIMIT_PER_SEC, default 100 requests a second, burst 600). One account sending every
 * commune's report measures that limit, not the platform: `pnpm bench --values 200` through one account spent most
 * of its load waiting out 429s (86 reports/s, 2,476 waits, the platform 48% idle; docs/performance.md).
 *
 * - `province` (default): one account per province of the workload (a commune officer scoped to the province,
 *   with an API token), sending its communes' reports;
 * - `single`: the one national submitter (`bench.submitter`), as before.
 */
export type SubmitterMode = 'province' | 'single';

export const SUBMITTER_MODES: readonly SubmitterMode[] = ['province', 'single'];

/** Submitting headers per province code (empty when authentication is off or in `single` mode). */
export type ProvinceSubmitters = ReadonlyMap<string, Record<string, string>>;

const CREATE_CONCURRENCY = 4;

/**
 * Creates (or finds, after a restart) one commune-officer account per province and issues it an API token, then
 * waits until every token is accepted (distributed mode: the account reaches the gateway through the accounts
 * topic). Needs the administrator's headers (`loginIfNeeded`).
 */
export async function provinceSubmitters(client: HttpClient, provinces: readonly string[]): Promise<ProvinceSubmitters> {
  const out = new Map<string, Record<string, string>>();
  if (Object.keys(client.adminHeaders).length === 0) return out; // authentication is off: nothing to sign in with
  const queue = [...new Set(provinces)];
  const worker = async () => {
    for (let code = queue.shift(); code !== undefined; code = queue.shift()) out.set(code, await submitterFor(client, code));
  };
  await Promise.all(Array.from({ length: CREATE_CONCURRENCY }, worker));
  for (const [code, headers] of out) await untilAccepted(client, code, headers);
  return out;
}

async function submitterFor(client: HttpClient, province: string): Promise<Record<string, string>> {
  const username = `bench.submitter.p${province.toLowerCase()}`;
  const account = { username, password: `${randomBytes(18).toString('base64url')}-Tally`, role: 'commune_officer', orgUnit: province };
  const created = await client.request('POST', '/api/v1/accounts', JSON.stringify(account), 30_000, client.adminHeaders);
  if (created.status >= 300 && created.status !== 409) throw new Error(`creating ${username} failed: ${created.status} ${JSON.stringify(created.body).slice(0, 300)}`);
  const issued = await client.request('POST', `/api/v1/accounts/${username}/tokens`, JSON.stringify({ name: 'bench' }), 30_000, client.adminHeaders);
  const token = (issued.body as { token?: unknown } | undefined)?.token;
  if (issued.status !== 201 || typeof token !== 'string') throw new Error(`issuing a token to ${username} failed: ${issued.status} ${JSON.stringify(issued.body).slice(0, 300)}`);
  return { authorization: `Bearer ${token}` };
}

async function untilAccepted(client: HttpClient, province: string, headers: Record<string, string>): Promise<void> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    const me = await client.request('GET', '/api/v1/auth/me', undefined, 30_000, headers);
    if (me.status === 200) return;
    if (performance.now() > deadline) throw new Error(`the submitter of province ${province} is still refused: ${me.status} ${JSON.stringify(me.body).slice(0, 300)}`);
    await sleep(100);
  }
}
