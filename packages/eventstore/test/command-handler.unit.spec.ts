import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newEvent } from '@tally/contracts';
import type { SourcedStream } from '@tally/core';
import { handleCommand, loadStream, openSqliteEventStore, StreamVersionConflictError, type SqliteEventStore } from '@tally/eventstore';

type Added = { type: 'test.added'; data: { n: number } };
type Noted = { type: 'test.noted'; data: { text: string } };
type CounterEvent = Added | Noted;

/** A counter stream: the sum of what was added, and how many events were folded. */
const counter: SourcedStream<{ sum: number; folded: number }, CounterEvent> = {
  schema: { types: ['test.added', 'test.noted'], upcasters: { 'test.added': { 1: (d) => ({ n: Number((d as { amount: number }).amount) }) } } },
  initialState: () => ({ sum: 0, folded: 0 }),
  evolve: (s, e) => (e.type === 'test.added' ? { sum: s.sum + e.data.n, folded: s.folded + 1 } : { ...s, folded: s.folded + 1 }),
};

const ctx = { actor: { id: 'test' }, correlationId: 'c' };
const add = (stream: string, n: number) => ({ ...newEvent('test', stream, { type: 'test.added' as const, data: { n } }, ctx), schemaVersion: 2 });

describe('handleCommand', () => {
  const dirs: string[] = [];
  const stores: SqliteEventStore[] = [];
  const open = () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-handler-'));
    dirs.push(dir);
    const s = openSqliteEventStore(join(dir, 'events.db'));
    stores.push(s);
    return s;
  };
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('given an empty stream, appends with no_stream and answers with the stored positions', async () => {
    const store = open();
    const r = await handleCommand(store, 'counter-a', counter, (state) => ({ append: [add('counter-a', 2)], result: (a) => ({ before: state.sum, ...a }) }));
    expect(r.before).toBe(0);
    expect(r.nextVersion).toBe(1);
    expect(r.positions).toHaveLength(1);
    expect((await loadStream(store, 'counter-a', counter)).state.sum).toBe(2);
  });

  it('decides again on the new state when another writer appended between the read and the append', async () => {
    const store = open();
    await store.append('counter-b', [add('counter-b', 1)], 'no_stream');
    const seen: number[] = [];
    const r = await handleCommand(store, 'counter-b', counter, async (state) => {
      seen.push(state.sum);
      if (seen.length === 1) await store.append('counter-b', [add('counter-b', 10)], 1); // the competing writer wins
      return { append: [add('counter-b', 100)], result: (a) => a.nextVersion };
    });
    expect(seen).toEqual([1, 11]);
    expect(r).toBe(3);
    expect((await loadStream(store, 'counter-b', counter)).state.sum).toBe(111);
  });

  it('lets a conflict through once the retry policy is spent, and never retries other errors', async () => {
    const store = open();
    await store.append('counter-c', [add('counter-c', 1)], 'no_stream');
    let tries = 0;
    const racing = handleCommand(
      store,
      'counter-c',
      counter,
      async (state) => {
        tries++;
        await store.append('counter-c', [add('counter-c', 1)], state.folded);
        return { append: [add('counter-c', 5)], result: () => 'done' };
      },
      { attempts: 3 },
    );
    await expect(racing).rejects.toBeInstanceOf(StreamVersionConflictError);
    expect(tries).toBe(3);

    let failing = 0;
    const refused = handleCommand(store, 'counter-c', counter, () => {
      failing++;
      throw new Error('refused by the domain');
    });
    await expect(refused).rejects.toThrow('refused by the domain');
    expect(failing).toBe(1);
  });

  it('answers without appending when the decision has nothing to append', async () => {
    const store = open();
    expect(await handleCommand(store, 'counter-d', counter, (s) => ({ result: s.sum }))).toBe(0);
    expect(await store.streamVersion('counter-d')).toBe(0);
  });

  it('reads a version-1 event through its upcaster, and leaves other types on the stream out', async () => {
    const store = open();
    const v1 = { ...newEvent('test', 'counter-e', { type: 'test.added', data: { amount: '7' } }, ctx), schemaVersion: 1 };
    const other = newEvent('test', 'counter-e', { type: 'test.unrelated', data: {} }, ctx);
    await store.append('counter-e', [v1, other, add('counter-e', 3)], 'no_stream');
    const read = await loadStream(store, 'counter-e', counter);
    expect(read.state).toEqual({ sum: 10, folded: 2 });
    expect(read.version).toBe(3);
    expect(read.events.map((e) => e.event)).toEqual([
      { type: 'test.added', data: { n: 7 } },
      { type: 'test.added', data: { n: 3 } },
    ]);
  });
});
