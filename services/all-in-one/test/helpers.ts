import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topicSpecs } from '@tally/contracts';
import type { HierarchyRegistry } from '@tally/core';
import { openSqliteEventBus } from '@tally/eventbus';
import { loadHierarchies } from '@tally/reference-data';
import { createLogger } from '@tally/runtime';
import { demoCatalog, startEmbeddedPlatform, type RunningPlatform } from '../src';

let registry: HierarchyRegistry | undefined;
/** The real hierarchies, parsed once per test file. */
export const realRegistry = (): HierarchyRegistry => (registry ??= loadHierarchies());

export interface TestPlatform extends RunningPlatform {
  dataDir: string;
  dispose(): Promise<void>;
}

export interface TestPlatformOptions {
  dataDir?: string;
  withCatalog?: boolean;
  /**
   * create the topics with the Kafka partition counts (DEFAULT_PARTITIONS) instead of the embedded one each, as a
   * data directory from before EMBEDDED_PARTITIONS has them: for tests of several replicas sharing partitions
   */
  kafkaPartitions?: boolean;
}

export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tally-test-'));
  if (options.kafkaPartitions) {
    // an existing topic keeps its partition count: the platform's own ensureTopics leaves these as they are
    const bus = openSqliteEventBus(join(dataDir, 'bus.db'));
    await bus.ensureTopics(topicSpecs('distributed'));
    await bus.close();
  }
  const running = await startEmbeddedPlatform({
    config: { dataDir, demo: false, readYourWritesTimeoutMs: 5_000, auth: 'off' },
    logger: createLogger('test', 'silent'),
    registry: realRegistry(),
    // no deadline notices from the real calendar in the middle of a test (notifications.e2e drives a fake one)
    notification: { scheduleTimer: false },
  });
  if (options.withCatalog !== false) {
    const r = await running.app.inject({ method: 'PUT', url: '/api/v1/catalog', payload: demoCatalog() as object });
    if (r.statusCode >= 300) throw new Error(`catalog refused: ${r.body}`);
  }
  return {
    ...running,
    dataDir,
    async dispose() {
      await running.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type Values = Array<{ dataElement: string; optionCombo?: string; value: number | boolean | string }>;

export function householdValues(total: number, poor: number, extra: Values = []): Values {
  return [
    { dataElement: 'HH_TOTAL', value: total },
    { dataElement: 'HH_POOR', value: poor },
    ...extra,
  ];
}

export async function submit(
  p: RunningPlatform,
  body: { template?: string; orgUnit: string; period: string; submissionId: string; values: Values; reason?: string; figures?: string },
) {
  const response = await p.app.inject({ method: 'POST', url: '/api/v1/reports', payload: { template: 'M1719_S', ...body } });
  return { status: response.statusCode, body: response.json() as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function getJson(p: RunningPlatform, url: string) {
  const response = await p.app.inject({ method: 'GET', url });
  return { status: response.statusCode, body: response.json() as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}
