import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { demoCatalog } from '../src/demo';
import { startDistributed, type DistributedDeployment } from '../src/distributed/launcher';
import { householdValues, realRegistry } from './helpers';
import { freePortBlock } from '@tally/testkit';
import { duplicates, startMailbox, startReceiver, type Mailbox, type Receiver } from './notification-helpers';

/**
 * Notifications in distributed mode (six processes on Kafka + FerretDB/MongoDB): the notification service is
 * SIGKILLed while the SMTP server holds its reply to an e-mail, and restarted; Kafka redelivers what it had not
 * committed. Each e-mail is accepted once, each webhook delivery id processed once.
 */
const brokers = inject('kafkaBrokers');
const mongoUrl = inject('mongoUrl');
const PERIOD = '2026S1';
const SECRET = 'distributed-webhook-secret';

async function until(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(brokers.length === 0 || !mongoUrl)('distributed mode: notifications once, across a kill of the notification service', () => {
  let d: DistributedDeployment;
  let mailbox: Mailbox;
  let receiver: Receiver;
  const run = `n${Date.now().toString(36)}`;

  beforeAll(async () => {
    mailbox = await startMailbox();
    receiver = await startReceiver(SECRET);
    const base = await freePortBlock(20);
    d = await startDistributed({
      kafkaBrokers: brokers,
      mongoUrl,
      mongoDb: `tally_${run}`,
      kafkaNamespace: `${run}.`,
      gatewayPort: base,
      httpBasePort: base,
      grpcBasePort: base + 10,
      env: {
        LOG_LEVEL: 'warn',
        TALLY_DEMO: '0',
        TALLY_AUTH: 'off',
        TALLY_SMTP_URL: `smtp://127.0.0.1:${mailbox.port}`,
        TALLY_WEBHOOK_ALLOW: `127.0.0.1:${receiver.port}`,
      },
      stdio: 'inherit',
    });
    const put = await fetch(`${d.url}/api/v1/catalog`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(demoCatalog()) });
    expect(put.status).toBeLessThan(300);
  }, 300_000);
  afterAll(async () => {
    await d?.stop();
    await mailbox?.close();
    await receiver?.close();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${d.url}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? null : JSON.stringify(body) });
    return { status: r.status, body: (await r.json().catch(() => null)) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  it('e-mails and posts each report to the province once', { timeout: 300_000 }, async () => {
    expect((await call('POST', '/api/v1/accounts', { username: 'rv.19', password: 'reviewer-19-pass-1719', role: 'reviewer', orgUnit: '19', email: 'rv19@thainguyen.gov.vn' })).status).toBe(201);
    const hook = await call('POST', '/api/v1/webhooks', { url: receiver.url, events: ['report.submitted'], orgUnit: '19', secret: SECRET });
    expect(hook.status).toBe(201);
    // the account and the webhook are known to the notification service before the reports
    await until('the webhook to be registered', async () => (await call('GET', `/api/v1/webhooks/${hook.body.id}/deliveries`)).status === 200);
    const communes = realRegistry().forDate('2026-06-30').descendantsAtLevel('19', 'commune').map((u) => u.code).slice(0, 10);
    mailbox.holdAt = 3;
    for (const c of communes) {
      const r = await call('POST', '/api/v1/reports', { template: 'M1719_S', orgUnit: c, period: PERIOD, submissionId: `n-${c}`, values: householdValues(1000, 100) });
      expect(r.status).toBe(202);
    }
    await mailbox.held;
    await d.kill('notification', 'SIGKILL');
    await d.start('notification');
    const inbox = async () => ((await call('GET', '/api/v1/inbox?orgUnit=19&limit=1000')).body?.messages as Array<{ kind: string }> | undefined) ?? [];
    await until('every report in the province inbox', async () => (await inbox()).filter((m) => m.kind === 'report.submitted').length === communes.length);
    const expectedMails = (await inbox()).length;
    await until('every e-mail', () => mailbox.mails.length >= expectedMails);
    await until('every webhook delivery', async () => {
      const list = ((await call('GET', `/api/v1/webhooks/${hook.body.id}/deliveries`)).body?.deliveries as Array<{ state: string }> | undefined) ?? [];
      return list.length === communes.length && list.every((x) => x.state === 'sent');
    });
    await d.kill('notification', 'SIGTERM');
    expect(mailbox.mails).toHaveLength(expectedMails);
    expect(duplicates(mailbox.mails.map((m) => m.messageId))).toEqual([]);
    const ids = receiver.deliveries.map((x) => x.id);
    expect(new Set(ids).size).toBe(communes.length);
    expect(duplicates(ids)).toEqual([]);
    expect(receiver.deliveries.every((x) => x.signatureOk)).toBe(true);
  });
});
