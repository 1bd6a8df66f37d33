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
}

export interface FerretDb {
  url: string;
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
  };
  const addr = `127.0.0.1:${o.port}`;
  mkdirSync(o.dataDir, { recursive: true });
  const proc = spawnManaged('ferretdb', bin, [`--listen-addr=${addr}`, `--sqlite-dir=${o.dataDir}`], { detached: o.detached });
  const url = `mongodb://${addr}/`;
  await waitUntil(`FerretDB on ${addr}`, proc, () => ping(url), o.startTimeoutMs);
  log(`FerretDB up on ${addr} in ${Date.now() - t0} ms`);
  return { url, options: o, stop: () => proc.stop(10_000) };
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
