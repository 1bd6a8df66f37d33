/**
 * Checkpoints a WAL database from a worker thread, so that the thread that writes never does.
 *
 * In WAL mode SQLite copies the log back into the database file (a checkpoint) inside the commit that takes the log
 * past `wal_autocheckpoint` pages: that commit then writes and syncs megabytes, on the event loop of the process
 * that serves requests (the embedded read store's 40 MiB checkpoint blocked the loop for about 100 ms under the
 * bench's load). Here a second connection, on its own thread, runs `PRAGMA wal_checkpoint(PASSIVE)` every
 * `intervalMs`: a passive checkpoint waits for no reader or writer and copies only committed frames, so it is safe
 * beside the writer, in this process or another; one with nothing to copy reads the WAL index and returns. The
 * writer keeps a higher `wal_autocheckpoint` as a fallback (the log stays bounded if the worker falls behind or
 * dies). Durability is SQLite's: the checkpointing connection syncs the log before copying and the database after.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { driverPackage, type Database } from './driver';
import type { SqliteOpenOptions } from './open-database';

export interface BackgroundCheckpoint {
  /** stops the worker (after a checkpoint in progress) and closes its connection */
  close(): Promise<void>;
}

export interface BackgroundCheckpointOptions {
  /** how often the worker checkpoints; default 250 ms */
  intervalMs?: number;
  /** told once if the worker fails (the writer's own autocheckpoint then keeps the log bounded) */
  onError?: (error: unknown) => void;
}

const DEFAULT_INTERVAL_MS = 250;
/** WAL pages at which a writer checkpoints by itself beside a worker (SQLite's own default: 1,000) */
const DEFAULT_FALLBACK_PAGES = 10_000;

/**
 * CommonJS, evaluated in the worker: the driver's path comes in workerData (the worker has no module resolution of
 * ours). A failure is posted as its message and code (the driver's error class does not cross threads), then the
 * worker ends.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let db = null;
let timer = null;
const stop = () => {
  clearInterval(timer);
  try { if (db) db.close(); } catch {}
  parentPort.close();
};
const fail = (error) => {
  parentPort.postMessage({ failed: { message: String((error && error.message) || error), code: error && error.code } });
  stop();
};
try {
  const Database = require(workerData.driver);
  db = new Database(workerData.path, { fileMustExist: true });
  timer = setInterval(() => {
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { fail(error); }
  }, workerData.intervalMs);
} catch (error) {
  fail(error);
}
parentPort.on('message', stop);
`;

const driverPath = createRequire(import.meta.url).resolve(driverPackage);

/** A store's worker, when its open options ask for one (`backgroundCheckpoint`); `null` otherwise. */
export function checkpointFor(db: Database, options: SqliteOpenOptions, fallbackPages = DEFAULT_FALLBACK_PAGES): BackgroundCheckpoint | null {
  if (!options.backgroundCheckpoint) return null;
  return checkpointInBackground(db, { fallbackPages, ...(options.onCheckpointError ? { onError: options.onCheckpointError } : {}) });
}

/**
 * What a store calls on its own connection: `null` for an in-memory database; otherwise the writer's
 * `wal_autocheckpoint` raised to `fallbackPages` and a worker checkpointing its file.
 */
export function checkpointInBackground(db: Database, options: BackgroundCheckpointOptions & { fallbackPages: number }): BackgroundCheckpoint | null {
  if (db.memory) return null;
  db.pragma(`wal_autocheckpoint = ${Math.max(1, Math.floor(options.fallbackPages))}`);
  return startBackgroundCheckpoint(db.name, options);
}

/** Starts checkpointing `path` (an existing WAL database file) from a worker thread. */
export function startBackgroundCheckpoint(path: string, options: BackgroundCheckpointOptions = {}): BackgroundCheckpoint {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver: driverPath, path, intervalMs: options.intervalMs ?? DEFAULT_INTERVAL_MS } });
  // never what keeps a process alive: a store that is not closed must not hang its process at exit
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', (m: { failed?: { message: string; code?: string } }) => {
    if (m.failed) options.onError?.(Object.assign(new Error(`SQLite checkpoint of ${path}: ${m.failed.message}`), { code: m.failed.code }));
  });
  worker.once('error', (error) => options.onError?.(error));
  let closing: Promise<void> | null = null;
  return {
    close() {
      closing ??= (async () => {
        worker.postMessage('stop');
        await exited;
      })();
      return closing;
    },
  };
}
