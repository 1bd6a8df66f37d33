import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkpointInBackground, openDatabase, startBackgroundCheckpoint, type Database } from '@tally/sqlite';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function openTemp(): { db: Database; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tally-checkpoint-'));
  dirs.push(dir);
  const path = join(dir, 'x.db');
  const db = openDatabase(path, { synchronous: 'NORMAL' });
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  return { db, path };
}

/** about `mb` MiB of rows, in 20 transactions */
function write(db: Database, from: number, mb: number): number {
  const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
  const rows = mb * 256; // 4 KiB each
  const perTx = Math.ceil(rows / 20);
  for (let i = 0; i < rows; i += perTx) {
    db.transaction(() => {
      for (let j = i; j < Math.min(rows, i + perTx); j++) insert.run(from + j, 'x'.repeat(4000));
    })();
  }
  return from + rows;
}

/** the database file's size once every page is in it */
const fileSizeOf = (db: Database): number => Number(db.pragma('page_count', { simple: true })) * Number(db.pragma('page_size', { simple: true }));

async function until(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

describe('checkpointing a WAL database from a worker thread', () => {
  it('copies the log into the database file, which the writer alone no longer does', async () => {
    const { db, path } = openTemp();
    const checkpoint = checkpointInBackground(db, { fallbackPages: 1_000_000, intervalMs: 20 });
    expect(checkpoint).not.toBeNull();
    // the fallback is out of reach: only the worker can move pages into the file
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1_000_000);
    await checkpoint!.close();
    let next = write(db, 0, 4);
    // no worker: every page is still in the log, the database file holds the schema only
    expect(statSync(path).size).toBeLessThan(64 * 1024);

    const again = checkpointInBackground(db, { fallbackPages: 1_000_000, intervalMs: 20 })!;
    expect(await until(() => statSync(path).size >= fileSizeOf(db), 30_000)).toBe(true);
    await again.close();
    // and the writer goes on writing beside it; a commit after a complete checkpoint starts the log over instead of
    // growing it. Each round's worker is stopped once its checkpoint is complete (every page in the file: it copies
    // pages in order, and the round's new pages are the highest), so that no checkpoint is in progress at the next
    // round's first commit, which may only start the log over when nothing else is using it
    const walBefore = statSync(`${path}-wal`).size;
    for (let round = 0; round < 3; round++) {
      const worker = checkpointInBackground(db, { fallbackPages: 1_000_000, intervalMs: 20 })!;
      next = write(db, next, 2);
      expect(await until(() => statSync(path).size >= fileSizeOf(db), 30_000)).toBe(true);
      await worker.close();
    }
    expect(statSync(`${path}-wal`).size).toBeLessThanOrEqual(Math.max(walBefore, 8 * 1024 * 1024));
    expect(db.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(next);
    db.close();
  });

  it('stops on close, leaving a database that reopens with every row', async () => {
    const { db, path } = openTemp();
    const checkpoint = checkpointInBackground(db, { fallbackPages: 1_000_000, intervalMs: 10 })!;
    const rows = write(db, 0, 1);
    await checkpoint.close();
    await checkpoint.close(); // twice: the same promise
    db.close();
    const reopened = openDatabase(path);
    expect(reopened.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(rows);
    reopened.close();
  });

  it('tells its owner when it fails (here: a file that is not there)', async () => {
    const errors: unknown[] = [];
    const checkpoint = startBackgroundCheckpoint(join(tmpdir(), `tally-checkpoint-missing-${process.pid}.db`), { onError: (e) => errors.push(e) });
    expect(await until(() => errors.length > 0)).toBe(true);
    expect(errors[0]).toBeInstanceOf(Error);
    expect(errors[0]).toMatchObject({ code: 'SQLITE_CANTOPEN', message: expect.stringContaining('tally-checkpoint-missing-') });
    await checkpoint.close(); // after the worker is gone: resolves
  });

  it('leaves an in-memory database alone', () => {
    const db = openDatabase(':memory:');
    expect(checkpointInBackground(db, { fallbackPages: 10 })).toBeNull();
    db.close();
  });
});
