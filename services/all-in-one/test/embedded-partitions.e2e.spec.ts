import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PARTITIONS, TOPICS, topicSpecs } from '@tally/contracts';
import { ROLLUP_GROUP } from '@tally/svc-hierarchy-rollup';
import { getJson, householdValues, startTestPlatform, submit, type TestPlatform } from './helpers';

/** The reports topic's partitions as the rollup consumer sees them (one lag entry per partition). */
async function rollupPartitions(p: TestPlatform): Promise<number[]> {
  const consumer = p.hierarchyRollup.consumers().find((c) => c.groupId === ROLLUP_GROUP);
  if (!consumer) throw new Error(`no consumer ${ROLLUP_GROUP}`);
  return (await consumer.lag()).filter((l) => l.topic === TOPICS.reports).map((l) => l.partition);
}

async function submitThreeCommunes(p: TestPlatform): Promise<void> {
  // three communes of three provinces: on an 8-partition topic their report streams may land on different partitions,
  // and VN's figure must add them up either way
  for (const [i, orgUnit] of ['05611', '01843', '26881'].entries()) {
    const r = await submit(p, { orgUnit, period: '2024S2', submissionId: `part-${i}`, values: householdValues(100 * (i + 1), 10 * (i + 1)) });
    expect(r.status).toBe(202);
  }
  await p.waitUntilCaughtUp();
}

/**
 * Embedded mode creates every topic with one partition (one process consumes partitions one batch at a time, so
 * more only delay events by a round of them); a data directory created with more keeps them, and its rollups read
 * every partition's shares.
 */
describe('embedded topic partitions', () => {
  const platforms: TestPlatform[] = [];
  afterEach(async () => {
    for (const p of platforms.splice(0)) await p.dispose();
  });

  it('gives a new data directory one partition per topic', async () => {
    expect(topicSpecs('embedded').every((t) => t.partitions === 1)).toBe(true);
    expect(topicSpecs('distributed')).toEqual(Object.entries(DEFAULT_PARTITIONS).map(([name, partitions]) => ({ name, partitions })));
    const p = await startTestPlatform();
    platforms.push(p);
    expect(await rollupPartitions(p)).toEqual([0]);
    await submitThreeCommunes(p);
    const vn = await getJson(p, '/api/v1/rollups?orgUnit=VN&period=2024S2');
    expect(vn.body.dataElements.HH_TOTAL).toBe(600);
    expect(vn.body.completeness.M1719_S.received).toBe(3);
  });

  it('keeps the partition counts of a data directory created with more, and rolls up across all of them', async () => {
    // a data directory from before: its bus created with the Kafka counts (8 report partitions)
    const p = await startTestPlatform({ kafkaPartitions: true });
    platforms.push(p);
    expect(await rollupPartitions(p)).toEqual(Array.from({ length: DEFAULT_PARTITIONS[TOPICS.reports] }, (_, i) => i));
    await submitThreeCommunes(p);
    const vn = await getJson(p, '/api/v1/rollups?orgUnit=VN&period=2024S2');
    expect(vn.body.dataElements.HH_TOTAL).toBe(600);
    expect(vn.body.dataElements.HH_POOR).toBe(60);
    expect(vn.body.completeness.M1719_S.received).toBe(3);
  });
});
