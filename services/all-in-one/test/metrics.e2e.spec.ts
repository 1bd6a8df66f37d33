import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { householdValues, startTestPlatform, submit, type TestPlatform } from './helpers';
import { accountToken, bearer, startAuthPlatform, type AuthTestPlatform } from './auth-helpers';

/** GET /metrics: Prometheus text with the figures an operator scales on, for operators only. */
describe('metrics', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform();
    expect((await submit(p, { orgUnit: '05611', period: '2024S2', submissionId: 'm1', values: householdValues(50, 5) })).status).toBe(202);
    await p.waitUntilCaughtUp();
  });
  afterAll(() => p.dispose());

  it('reports HTTP requests by route template, consumer lag and applied events, and the log and relay positions', async () => {
    const r = await p.app.inject({ method: 'GET', url: '/metrics' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain/);
    const text = r.body;
    expect(text).toMatch(/tally_http_requests_total\{method="POST",route="\/api\/v1\/reports",status="202"\} [1-9]/);
    expect(text).toMatch(/tally_http_request_duration_seconds_bucket\{le="[^"]+",method="POST",route="\/api\/v1\/reports"\}/);
    expect(text).toMatch(/tally_consumer_lag\{group="hierarchy-rollup\.rollups",topic="tally\.reports\.v1",partition="\d+"\} 0/);
    expect(text).toMatch(/tally_consumer_events_applied_total\{group="hierarchy-rollup\.rollups"\} [1-9]/);
    const head = Number(/^tally_event_log_head_position (\d+)/m.exec(text)?.[1]);
    const relayed = Number(/^tally_relay_published_position (\d+)/m.exec(text)?.[1]);
    expect(head).toBeGreaterThan(0);
    expect(relayed).toBe(head);
    // the notification service registered its outbox: no e-mail or webhook configured, so nothing is queued
    expect(text).toMatch(/^tally_notification_outbox\{state="pending"\} 0$/m);
    expect(text).toMatch(/^tally_notification_outbox\{state="dead"\} 0$/m);
  });

  it('is ready once consumers have caught up', async () => {
    const r = await p.app.inject({ method: 'GET', url: '/health/ready' });
    expect(r.statusCode).toBe(200);
  });
});

describe('metrics access', () => {
  let p: AuthTestPlatform;
  beforeAll(async () => {
    p = await startAuthPlatform({ withCatalog: false });
  });
  afterAll(() => p.dispose());

  it('refuses anonymous scrapes and other roles, and serves an operator token', async () => {
    const anonymous = await p.app.inject({ method: 'GET', url: '/metrics' });
    expect(anonymous.statusCode).toBe(401);
    const admin = await p.app.inject({ method: 'GET', url: '/metrics', headers: bearer(p.adminToken) });
    expect(admin.statusCode).toBe(403);
    const operator = await accountToken(p, 'metrics.scraper', 'operator', 'VN');
    const scrape = await p.app.inject({ method: 'GET', url: '/metrics', headers: bearer(operator) });
    expect(scrape.statusCode).toBe(200);
    expect(scrape.body).toContain('tally_http_requests_total');
  });
});
