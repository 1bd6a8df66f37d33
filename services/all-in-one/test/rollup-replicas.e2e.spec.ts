import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHierarchyRollupService, type HierarchyRollupService } from '@tally/svc-hierarchy-rollup';
import { getJson, householdValues, realRegistry, startTestPlatform, submit, type TestPlatform } from './helpers';

/**
 * Two replicas of hierarchy-rollup on one platform (one event store, one bus, one read store, as two processes
 * share Kafka and MongoDB): they share the report partitions, and hierarchy changes moved by either replica while
 * the other applies reports end with every figure exact (the replica fence: replica-fence.ts, docs/rollups.md).
 */
const PERIOD = '2024S2';
const FROM = '168';
const TO = '164';
const PROVINCE = '19';

describe('hierarchy-rollup: two replicas sharing the report partitions', () => {
  let p: TestPlatform;
  let second: HierarchyRollupService;
  const pre = realRegistry().get('pre2025')!;
  const communes = [...pre.childrenOf(FROM), ...pre.childrenOf(TO)].map((u) => u.code);
  const total = (i: number) => 10 * (i + 1);

  beforeAll(async () => {
    // the Kafka partition counts: a new embedded data directory has one report partition, which one replica would own
    p = await startTestPlatform({ kafkaPartitions: true });
    // a second replica: its own consumers (same group) and its own fence registration, the same stores
    second = createHierarchyRollupService({ ...p.platform, config: { ...p.platform.config, instanceId: 'replica-2' } }, { registry: p.registry, catalog: p.indicator.catalogQuery });
    await second.start();
  });
  afterAll(async () => {
    await second?.stop();
    await p?.dispose();
  });

  it('applies reports in both replicas, and moves made by either replica under load leave every figure exact', async () => {
    const movedByFirst = pre.childrenOf(FROM)[0]!.code;
    const movedBySecond = pre.childrenOf(TO)[0]!.code;
    const ctx = { actor: { id: 'test-admin', role: 'admin' }, correlationId: 'replicas', reason: 'Điều chỉnh địa giới' };
    let last = 0;
    const submissions = communes.map(async (c, i) => {
      const r = await submit(p, { orgUnit: c, period: PERIOD, submissionId: `s-${c}`, values: householdValues(total(i), 1) });
      expect(r.status).toBe(202);
      last = Math.max(last, r.body.position as number);
    });
    // the moves while the reports are being applied: one through each replica
    const half = Math.floor(submissions.length / 2);
    await Promise.all(submissions.slice(0, half));
    const first = await p.app.inject({ method: 'POST', url: '/api/v1/hierarchies/pre2025/changes', payload: { change: { kind: 'move', code: movedByFirst, newParentCode: TO }, reason: 'Điều chỉnh địa giới' } });
    expect(first.statusCode).toBe(201);
    await second.changeHierarchy('pre2025', { kind: 'move', code: movedBySecond, newParentCode: FROM }, ctx);
    await Promise.all(submissions);
    await p.waitUntilCaughtUp();
    for (const c of second.consumers()) expect(await c.waitUntilCaughtUp(20_000)).toBe(true);

    // both replicas applied report batches (each owns some of the partitions)
    const applied = [p.hierarchyRollup, second].map((s) => Object.keys(s.consumers()[0]!.progress.snapshot()).length);
    expect(applied.every((n) => n > 0)).toBe(true);

    const parentNow = (c: string) => (c === movedByFirst ? TO : c === movedBySecond ? FROM : pre.get(c)!.parentCode);
    const expected = (district: string) => communes.reduce((sum, c, i) => sum + (parentNow(c) === district ? total(i) : 0), 0);
    for (const [unit, want] of [
      [FROM, expected(FROM)],
      [TO, expected(TO)],
      [PROVINCE, communes.reduce((s, _c, i) => s + total(i), 0)],
      ['VN', communes.reduce((s, _c, i) => s + total(i), 0)],
    ] as const) {
      const r = await getJson(p, `/api/v1/rollups?orgUnit=${unit}&period=${PERIOD}&after=${last}`);
      expect([unit, r.body.dataElements.HH_TOTAL]).toEqual([unit, want]);
    }
    const received = async (unit: string) => (await getJson(p, `/api/v1/completeness?orgUnit=${unit}&period=${PERIOD}&template=M1719_S`)).body.received as number;
    const count = (district: string) => communes.filter((c) => parentNow(c) === district).length;
    expect([await received(FROM), await received(TO)]).toEqual([count(FROM), count(TO)]);
  });
});
