// Integration: the relay lease on a real MongoDB-wire server (FerretDB locally; testkit's global setup provides it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { TOPICS } from '@tally/contracts';
import { openSqliteEventBus } from '@tally/eventbus';
import { RelayLease, createMongoEventStore, startRelay, type LeaseStore, type MongoEventStore } from '@tally/eventstore';
import { sampleEvent, uniqueSuffix, waitFor } from '@tally/testkit/conformance';

const mongoUrl = inject('mongoUrl');

describe.skipIf(!mongoUrl)('the relay lease on MongoDB', () => {
  const dbName = `lease_${uniqueSuffix()}`;
  const dir = mkdtempSync(join(tmpdir(), 'tally-relay-lease-mongo-'));
  const stores: MongoEventStore[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
    const admin = new MongoClient(mongoUrl);
    await admin.connect();
    await admin.db(dbName).dropDatabase().catch(() => undefined);
    await admin.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a holder that dies without releasing: the other process takes over once the lease lapses, and publishes', async () => {
    const open = async () => {
      const s = await createMongoEventStore({ url: mongoUrl, dbName });
      stores.push(s);
      return s;
    };
    const [storeA, storeB] = [await open(), await open()];
    const bus = openSqliteEventBus(join(dir, 'bus.db'));
    await bus.ensureTopics([{ name: TOPICS.reports, partitions: 2 }]);
    const append = async (from: number, n: number) => {
      for (let i = from; i < from + n; i++) await storeA.append(`report-T-M${i}-2026`, [sampleEvent(`report-T-M${i}-2026`, 1)], 'no_stream');
    };
    // A's process "dies": its relay stops without giving the lease up (a crash does not release)
    const neverReleases: LeaseStore = { acquireLease: (n, h, t) => storeA.acquireLease(n, h, t), releaseLease: async () => undefined };
    const a = startRelay({ store: storeA, bus, idlePollMs: 10, lease: new RelayLease(neverReleases, { holder: 'a', ttlMs: 1_500 }) });
    await append(0, 3);
    await waitFor(async () => (await storeA.publishedPosition()) === (await storeA.headPosition()), 20_000, 'a publishes');
    expect(a.holdsLease()).toBe(true);
    const b = startRelay({ store: storeB, bus, idlePollMs: 10, lease: new RelayLease(storeB, { holder: 'b', ttlMs: 1_500 }) });
    await a.stop();

    await append(3, 3);
    const head = await storeA.headPosition();
    await waitFor(async () => (await storeB.publishedPosition()) === head, 20_000, 'b takes over and publishes');
    expect(b.holdsLease()).toBe(true);
    await b.stop();
    await bus.close();
  }, 60_000);
});
