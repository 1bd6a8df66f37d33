import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, householdValues, startTestPlatform, submit, type TestPlatform } from './helpers';

/** `pnpm tally rebuild projection`: one service's read models replayed, identical, while the others keep theirs. */
describe('rebuild of one read model', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform();
    expect((await submit(p, { orgUnit: '05611', period: '2024S2', submissionId: 'r1', values: householdValues(120, 12) })).status).toBe(202);
    await p.waitUntilCaughtUp();
  });
  afterAll(() => p.dispose());

  it('replays only the named service and answers exactly as before', async () => {
    const urls = ['/api/v1/reports/report-M1719_S-05611-2024S2', '/api/v1/rollups?orgUnit=19&period=2024S2'];
    const before = await Promise.all(urls.map((u) => getJson(p, u)));
    const rollupConsumer = p.services.find((s) => s.name === 'hierarchy-rollup')!.consumers()[0]!;
    await p.rebuild(['projection']);
    // the rollup service was not stopped: the consumer it had is the one it still has
    expect(p.services.find((s) => s.name === 'hierarchy-rollup')!.consumers()[0]).toBe(rollupConsumer);
    const after = await Promise.all(urls.map((u) => getJson(p, u)));
    for (const [i, u] of urls.entries()) expect(after[i]!.body, u).toEqual(before[i]!.body);
  });

  it('refuses a service name it does not know', async () => {
    await expect(p.rebuild(['no-such-service'])).rejects.toThrow(/no service named no-such-service/);
  });
});
