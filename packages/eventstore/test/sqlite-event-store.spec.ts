import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteEventStore, StreamVersionConflictError, type SqliteEventStore } from '@tally/eventstore';
import { describeEventStoreConformance, runUntilKilled, sampleEvent } from '@tally/testkit/conformance';

const tempDirs: string[] = [];
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tally-eventstore-'));
  tempDirs.push(dir);
  return join(dir, 'events.db');
}
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describeEventStoreConformance('sqlite', async () => {
  const store = openSqliteEventStore(tempDb());
  return { store, cleanup: () => store.close() };
});

describe('SqliteEventStore', () => {
  const open: SqliteEventStore[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });
  const openStore = (path: string) => {
    const s = openSqliteEventStore(path);
    open.push(s);
    return s;
  };

  it('commits concurrent appends together (group commit): each settles on its own, a conflict undoes only itself', async () => {
    const store = openStore(tempDb());
    const appends = [
      store.append('report-a', [sampleEvent('report-a', 1)], 'no_stream'),
      store.append('report-b', [sampleEvent('report-b', 1), sampleEvent('report-b', 2)], 'no_stream'),
      store.append('report-a', [sampleEvent('report-a', 2)], 'no_stream'), // the first append of report-a won
      store.append('report-a', [sampleEvent('report-a', 2)], 1), // follows the first one in the same commit
      store.append('report-c', [sampleEvent('report-c', 1)], 'no_stream'),
    ];
    const settled = await Promise.allSettled(appends);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((settled[2] as PromiseRejectedResult).reason).toBeInstanceOf(StreamVersionConflictError);
    expect(settled.flatMap((s) => (s.status === 'fulfilled' ? s.value.positions : []))).toEqual([1, 2, 3, 4, 5]);
    expect((await store.readStream('report-a')).map((e) => e.streamVersion)).toEqual([1, 2]);
    expect(await store.headPosition()).toBe(5);
  });

  it('shares one file between instances: appends seen by both, conflicts detected across them', async () => {
    const path = tempDb();
    const a = openStore(path);
    const b = openStore(path);
    await a.append('report-x', [sampleEvent('report-x', 1)], 'no_stream');
    expect(await b.streamVersion('report-x')).toBe(1);
    await expect(b.append('report-x', [sampleEvent('report-x', 2)], 'no_stream')).rejects.toBeInstanceOf(StreamVersionConflictError);
    await b.markPublished(1);
    expect(await a.publishedPosition()).toBe(1);
  });

  it('refuses an event id that was already appended, with a typed error', async () => {
    const store = openStore(tempDb());
    const e = sampleEvent('report-dup', 1);
    await store.append('report-dup', [e], 'no_stream');
    await expect(store.append('report-dup', [e], 1)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(await store.streamVersion('report-dup')).toBe(1);
  });

  it('strips store-assigned fields from an appended event', async () => {
    const store = openStore(tempDb());
    const stale = { ...sampleEvent('report-s', 1), streamVersion: 99, position: 99 };
    await store.append('report-s', [stale], 'no_stream');
    expect(await store.readStream('report-s')).toMatchObject([{ streamVersion: 1, position: 1 }]);
  });

  it('loses no acknowledged append when two contending writer processes are SIGKILLed', async () => {
    const path = tempDb();
    await openStore(path).close(); // create the schema once, so the children do not race on it
    const script = fileURLToPath(new URL('./fixtures/append-until-killed.ts', import.meta.url));
    const [one, two] = await Promise.all([
      runUntilKilled(script, [path, 'one'], { killAfter: 150 }),
      runUntilKilled(script, [path, 'two'], { killAfter: 150 }),
    ]);
    expect(one.signal).toBe('SIGKILL');

    const store = openStore(path);
    const all = await store.readAll(0, 1_000_000);
    const stored = new Set(all.map((e) => e.id));
    for (const id of [...one.acked, ...two.acked]) expect(stored.has(id), id).toBe(true);
    for (const stream of ['report-crash-0', 'report-crash-1', 'report-crash-2']) {
      const versions = (await store.readStream(stream)).map((e) => e.streamVersion);
      expect(versions).toEqual(versions.map((_, i) => i + 1));
    }
  }, 60_000);
});
