// FerretDB (MongoDB wire protocol on SQLite) built from tools/ferretdb with the Go toolchain (ferretdb-build.ts):
// no real mongod can be downloaded here, and `go install .../cmd/ferretdb` panics (see main.go).
import { mkdirSync } from 'node:fs';
import { MongoClient } from 'mongodb';
import { ensureFerretDbBinary } from './ferretdb-build';
import { freePort } from './ports';
import { log, spawnManaged, waitUntil } from './process';

export { ensureFerretDbBinary };

export interface FerretDbOptions {
  /** SQLite files (one per database) go here. */
  dataDir: string;
  /** A free one if omitted. */
  port?: number;
  startTimeoutMs?: number;
  /** its own process group (see spawnManaged) */
  detached?: boolean;
  /**
   * When SQLite syncs its WAL to disk: `full` at every commit (SQLite's default), `normal` at checkpoints only
   * (default here, or TALLY_FERRETDB_SYNCHRONOUS): what MongoDB does by default, acknowledging a write before its
   * journal's next sync; a crash of FerretDB loses nothing, an OS crash or power loss can lose the last writes.
   */
  synchronous?: 'full' | 'normal';
}

export interface FerretDb {
  url: string;
  pid: number;
  options: Required<FerretDbOptions>;
  stop(): Promise<void>;
}

export async function startFerretDb(opts: FerretDbOptions): Promise<FerretDb> {
  const t0 = Date.now();
  const bin = await ensureFerretDbBinary();
  const o: Required<FerretDbOptions> = {
    dataDir: opts.dataDir,
    port: opts.port ?? (await freePort()),
    startTimeoutMs: opts.startTimeoutMs ?? 30_000,
    detached: opts.detached ?? false,
    synchronous: opts.synchronous ?? ferretDbSynchronous(),
  };
  const addr = `127.0.0.1:${o.port}`;
  mkdirSync(o.dataDir, { recursive: true });
  const proc = spawnManaged('ferretdb', bin, [`--listen-addr=${addr}`, `--sqlite-dir=${o.dataDir}`, `--sqlite-synchronous=${o.synchronous}`], { detached: o.detached });
  const url = `mongodb://${addr}/`;
  await waitUntil(`FerretDB on ${addr}`, proc, () => ping(url), o.startTimeoutMs);
  log(`FerretDB up on ${addr} in ${Date.now() - t0} ms`);
  return { url, pid: proc.child.pid!, options: o, stop: () => proc.stop(10_000) };
}

export function ferretDbSynchronous(): 'full' | 'normal' {
  const value = process.env.TALLY_FERRETDB_SYNCHRONOUS ?? 'normal';
  if (value !== 'full' && value !== 'normal') throw new Error(`TALLY_FERRETDB_SYNCHRONOUS must be full or normal, not ${JSON.stringify(value)}`);
  return value;
}

async function ping(url: string): Promise<boolean> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 1_000, connectTimeoutMS: 1_000 });
  try {
    await client.connect();
    const res = await client.db('admin').command({ ping: 1 });
    return res.ok === 1;
  } finally {
    await client.close().catch(() => undefined);
  }
}
