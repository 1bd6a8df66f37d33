import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '@tally/testkit';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoCatalog } from '../src/demo';
import { householdValues, realRegistry } from './helpers';
import { duplicates, startMailbox, startReceiver, type Mailbox, type Receiver } from './notification-helpers';

/**
 * Exactly once in effect: `pnpm start`'s process is SIGKILLed twice while it is sending (once while the SMTP
 * server holds its reply to an e-mail, once while the webhook receiver holds its answer), started again on the
 * same data directory, and made to replay every event (a rebuild). The SMTP server accepts each e-mail once;
 * the receiver processes each delivery id once (the one delivery in flight at a kill comes again with the same
 * id, which is what the id is for).
 */
const MAIN = new URL('../src/main.ts', import.meta.url).pathname;
const CLI = new URL('../src/cli.ts', import.meta.url).pathname;
const PERIOD = '2026S1';
const SECRET = 'crash-test-webhook-secret';

async function until(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((r) => child.once('exit', r));
}

describe('notifications survive SIGKILL mid-send', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tally-notify-crash-'));
  let child: ChildProcess | undefined;
  let mailbox: Mailbox | undefined;
  let receiver: Receiver | undefined;
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
    await mailbox?.close();
    await receiver?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers every e-mail and webhook once across two kills, two restarts and a replay', async () => {
    mailbox = await startMailbox();
    receiver = await startReceiver(SECRET);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = () => ({
      ...process.env,
      TALLY_DATA_DIR: dataDir,
      PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      TALLY_DEMO: '0',
      LOG_LEVEL: 'error',
      TALLY_AUTH: 'off',
      TALLY_SMTP_URL: `smtp://127.0.0.1:${mailbox!.port}`,
      TALLY_WEBHOOK_ALLOW: `127.0.0.1:${receiver!.port}`,
    });
    const start = async () => {
      child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
        env: env(),
        stdio: 'ignore',
      });
      await until('the platform to answer', async () => (await fetch(`${base}/health`).catch(() => null))?.ok === true);
    };
    const kill = async () => {
      child!.kill('SIGKILL');
      await exited(child!);
    };
    const call = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${base}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? null : JSON.stringify(body) });
      return { status: r.status, body: (await r.json().catch(() => null)) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    const communes = realRegistry().forDate('2026-06-30').descendantsAtLevel('19', 'commune').map((u) => u.code).slice(0, 12);
    const submit = async (from: number, to: number) => {
      for (const c of communes.slice(from, to)) {
        const r = await call('POST', '/api/v1/reports', { template: 'M1719_S', orgUnit: c, period: PERIOD, submissionId: `s-${c}`, values: householdValues(1000, 100) });
        expect(r.status).toBe(202);
      }
    };

    await start();
    expect((await call('PUT', '/api/v1/catalog', demoCatalog())).status).toBeLessThan(300);
    expect((await call('POST', '/api/v1/accounts', { username: 'rv.19', password: 'reviewer-19-pass-1719', role: 'reviewer', orgUnit: '19', email: 'rv19@thainguyen.gov.vn' })).status).toBe(201);
    const hook = await call('POST', '/api/v1/webhooks', { url: receiver.url, events: ['report.submitted'], orgUnit: '19', secret: SECRET });
    expect(hook.status).toBe(201);

    // kill 1: while the SMTP server holds its reply to the third e-mail
    mailbox.holdAt = 3;
    await submit(0, 8);
    await mailbox.held;
    await kill();

    // kill 2: while the receiver holds its answer to the next-but-one delivery
    receiver.holdAt = receiver.deliveries.length + 2;
    await start();
    await submit(8, 12);
    await receiver.held;
    await kill();

    // replay every event from the log (`pnpm tally rebuild` on the data directory), then restart
    const rebuild = spawn(process.execPath, ['--import', 'tsx', CLI, 'rebuild'], { env: env(), stdio: 'ignore' });
    await exited(rebuild);
    expect(rebuild.exitCode).toBe(0);
    await start();
    const inbox = async () => ((await call('GET', '/api/v1/inbox?orgUnit=19&limit=1000')).body.messages as Array<{ kind: string }>) ?? [];
    await until('every report to reach the province inbox', async () => (await inbox()).filter((m) => m.kind === 'report.submitted').length === 12);
    const expectedMails = (await inbox()).length;
    await until('every e-mail', () => mailbox!.mails.length >= expectedMails);
    await until('every webhook delivery', async () => {
      const list = (await call('GET', `/api/v1/webhooks/${hook.body.id}/deliveries`)).body.deliveries as Array<{ state: string }>;
      return list.length === 12 && list.every((d) => d.state === 'sent');
    });
    // a clean stop: anything still being sent is finished before the counts are read
    child!.kill('SIGTERM');
    await exited(child!);

    expect(mailbox.mails).toHaveLength(expectedMails);
    expect(duplicates(mailbox.mails.map((m) => m.messageId))).toEqual([]);
    expect(mailbox.mails.every((m) => m.to.includes('rv19@thainguyen.gov.vn'))).toBe(true);

    const ids = receiver.deliveries.map((d) => d.id);
    expect(new Set(ids).size).toBe(12);
    expect(receiver.deliveries.every((d) => d.signatureOk)).toBe(true);
    // only the delivery in flight at the kill came twice, with the same id
    const twice = duplicates(ids);
    expect(twice.length).toBeLessThanOrEqual(1);
    for (const id of twice) expect(ids.filter((x) => x === id)).toHaveLength(2);
    expect(new Set(receiver.deliveries.map((d) => (d.body as { orgUnit: string }).orgUnit))).toEqual(new Set(['19']));
  }, 240_000);
});
