// Builds the harness's FerretDB (tools/ferretdb) with the Go toolchain, from FerretDB's module source patched
// where its SQLite backend misses its own `_id` index (below).
import { createHash } from 'node:crypto';
import { cpSync, chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { announceIfSlow, cacheDir, repoRoot, run } from './process';

const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';

/**
 * FerretDB 1.24's SQLite backend creates each collection's unique `_id` index on the expression
 * `_ferretdb_sjson->"_id"`, but finds, updates and deletes by `_id` filter on `_ferretdb_sjson->'$._id'`: the same
 * value, another expression, so SQLite's planner does not use the index and scans the table (with a JSON parse per
 * row) for every lookup, update and delete by `_id`. An update of one document of a 3,000-document collection took
 * 125 ms instead of 4 ms (docs/performance.md, "FerretDB is not MongoDB"). Writing the filter with the index's
 * expression (`->'_id'`, which SQLite reads as the path `$._id`) makes every `_id` lookup an index search.
 */
const PATCHES: Array<{ file: string; from: string; to: string }> = [
  {
    file: 'internal/backends/sqlite/metadata/metadata.go',
    from: `IDColumn = DefaultColumn + "->'$._id'"`,
    to: `IDColumn = DefaultColumn + "->'_id'"`,
  },
  /*
   * An update command holds a pooled SQLite connection with its query's open rows while it begins the transaction
   * that writes, which takes a second connection: with 100 update commands in flight on one database (the pool's
   * limit) every connection is held by one waiting for another, and FerretDB stops answering for good (goroutine
   * dump: 100 open rows, the rest waiting in database/sql's conn; reached by `pnpm bench --mode distributed
   * --communes 1000 --values 50`). No limit on open connections: SQLite's own busy timeout orders the writers.
   */
  {
    file: 'internal/backends/sqlite/metadata/pool/opendb.go',
    from: '\tdb.SetMaxOpenConns(100)\n',
    to: '\tdb.SetMaxOpenConns(0)\n',
  },
  /*
   * Every cursor, transaction and connection is tracked in a pprof profile, which captures a stack each time:
   * 6.6% of FerretDB's CPU under the bench's load (perf). The finalizer that reports an object never released
   * stays; only the profile entry goes.
   */
  {
    file: 'internal/util/resource/resource.go',
    from: '\tp.Add(token, 1)\n',
    to: '\t_ = p // Tally: no profile entry (a stack capture per object)\n',
  },
];

/** Builds .cache/bin/tally-ferretdb once; rebuilt when go.mod, go.sum, main.go or the patches change. */
export async function ensureFerretDbBinary(): Promise<string> {
  const src = join(repoRoot(), 'tools', 'ferretdb');
  const bin = join(cacheDir(), 'bin', 'tally-ferretdb');
  const stamp = `${bin}.stamp`;
  const hash = createHash('sha256');
  for (const f of ['go.mod', 'go.sum', 'main.go']) hash.update(readFileSync(join(src, f)));
  hash.update(JSON.stringify(PATCHES));
  const digest = hash.digest('hex');
  if (existsSync(bin) && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return bin;

  mkdirSync(join(cacheDir(), 'bin'), { recursive: true });
  const tmp = `${bin}.tmp-${process.pid}`;
  const work = join(cacheDir(), `ferretdb-src-${process.pid}`);
  // -mod=mod: let Go fetch modules listed in go.sum from the module proxy on a fresh machine.
  const env = { ...process.env, GOFLAGS: '-mod=mod' };
  try {
    await announceIfSlow('building FerretDB with Go (first run only; a minute or two on a cold Go cache)', async () => {
      const modfile = await patchedModule(src, work, env);
      await run('go', ['build', `-modfile=${modfile}`, '-o', tmp, '.'], { cwd: src, env });
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  renameSync(tmp, bin); // atomic: concurrent builders just replace each other's identical binary
  writeFileSync(stamp, digest);
  return bin;
}

/**
 * Copies FerretDB's module source (as go.mod requires it) to `work`, applies PATCHES, and writes a go.mod (with its
 * go.sum) that replaces the module by the copy; returns that go.mod's path, for `go build -modfile`.
 */
async function patchedModule(src: string, work: string, env: NodeJS.ProcessEnv): Promise<string> {
  const required = /\n\s*(?:require\s+)?github\.com\/FerretDB\/FerretDB\s+(v\S+)/.exec(readFileSync(join(src, 'go.mod'), 'utf8'))?.[1];
  if (!required) throw new Error(`tools/ferretdb/go.mod does not require ${FERRETDB_MODULE}`);
  const { Dir } = JSON.parse(await run('go', ['mod', 'download', '-json', `${FERRETDB_MODULE}@${required}`], { cwd: src, env })) as { Dir?: string };
  if (!Dir) throw new Error(`go mod download ${FERRETDB_MODULE}@${required}: no source directory`);
  rmSync(work, { recursive: true, force: true });
  const copy = join(work, 'FerretDB');
  cpSync(Dir, copy, { recursive: true });
  for (const p of PATCHES) {
    const file = join(copy, p.file);
    chmodSync(file, 0o644); // the module cache is read-only
    const text = readFileSync(file, 'utf8');
    if (text.split(p.from).length !== 2) throw new Error(`FerretDB ${required}: ${p.file} no longer holds ${p.from} exactly once; review the patch`);
    writeFileSync(file, text.replace(p.from, p.to));
  }
  const modfile = join(work, 'build.mod');
  writeFileSync(modfile, `${readFileSync(join(src, 'go.mod'), 'utf8')}\nreplace ${FERRETDB_MODULE} => ${copy}\n`);
  writeFileSync(join(work, 'build.sum'), readFileSync(join(src, 'go.sum')));
  return modfile;
}
