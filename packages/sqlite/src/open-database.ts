/** How every embedded adapter opens its SQLite file: WAL, a busy timeout, and the durability it asks for. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Database } from './driver';

export interface SqliteOpenOptions {
  /** FULL survives power loss in WAL mode; NORMAL only survives a process crash. */
  synchronous?: 'FULL' | 'NORMAL';
  /** how long a writer waits for another process's write lock before failing */
  busyTimeoutMs?: number;
  /**
   * the store checkpoints its file from a worker thread (background-checkpoint.ts), not in its own commits;
   * used by the embedded platform (TALLY_SQLITE_CHECKPOINT), off by default
   */
  backgroundCheckpoint?: boolean;
  /** told if that worker fails (the store's own checkpoints then keep its log bounded) */
  onCheckpointError?: (error: unknown) => void;
}

export function openDatabase(path: string, options: SqliteOpenOptions = {}): Database {
  if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 10_000))}`);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  return db;
}
