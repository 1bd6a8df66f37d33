// FerretDB (MongoDB wire protocol on SQLite) built from tools/ferretdb with the Go toolchain:
// no real mongod can be downloaded here, and `go install .../cmd/ferretdb` panics (see main.go).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { announceIfSlow, cacheDir, freePort, log, repoRoot, run, spawnManaged, waitUntil } from './process';

/** Builds .cache/bin/tally-ferretdb once; rebuilt when go.mod, go.sum or main.go change. */
export async function ensureFerretDbBinary(): Promise<string> {
  const src = join(repoRoot(), 'tools', 'ferretdb');
  const bin = join(cacheDir(), 'bin', 'tally-ferretdb');
  const stamp = `${bin}.stamp`;
  const hash = createHash('sha256');
  for (const f of ['go.mod', 'go.sum', 'main.go']) hash.update(readFileSync(join(src, f)));
  const digest = hash.digest('hex');
  if (existsSync(bin) && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return bin;

  mkdirSync(join(cacheDir(), 'bin'), { recursive: true });
  const tmp = `${bin}.tmp-${process.pid}`;
  // -mod=mod: let Go fetch modules listed in go.sum from the module proxy on a fresh machine.
  await announceIfSlow('building FerretDB with Go (first run only; a minute or two on a cold Go cache)', () =>
    run('go', ['build', '-o', tmp, '.'], { cwd: src, env: { ...process.env, GOFLAGS: '-mod=mod' } }),
  );
  renameSync(tmp, bin); // atomic: concurrent builders just replace each other's identical binary
  writeFileSync(stamp, digest);
  return bin;
}

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
