// The harness's FerretDB settings (packages/testkit/src/infra/ferretdb.ts, tools/ferretdb/main.go): SQLite syncs
// its WAL at checkpoints only by default, which must still lose no acknowledged write when FerretDB itself dies.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { ensureFerretDbBinary, ferretDbSynchronous, startFerretDb, type FerretDb } from '../src/infra/index';
import '../src/infra/provided-context';

const infra = (inject('mongoUrl') ?? '') !== '';
const hasGo = spawnSync('go', ['version']).status === 0;

describe('TALLY_FERRETDB_SYNCHRONOUS', () => {
  const saved = process.env.TALLY_FERRETDB_SYNCHRONOUS;
  afterEach(() => {
    if (saved === undefined) delete process.env.TALLY_FERRETDB_SYNCHRONOUS;
    else process.env.TALLY_FERRETDB_SYNCHRONOUS = saved;
  });

  it('is normal unless set, full when asked, and anything else is refused by name', () => {
    delete process.env.TALLY_FERRETDB_SYNCHRONOUS;
    expect(ferretDbSynchronous()).toBe('normal');
    process.env.TALLY_FERRETDB_SYNCHRONOUS = 'full';
    expect(ferretDbSynchronous()).toBe('full');
    process.env.TALLY_FERRETDB_SYNCHRONOUS = 'off';
    expect(() => ferretDbSynchronous()).toThrow(/TALLY_FERRETDB_SYNCHRONOUS must be full or normal, not "off"/);
  });
});

describe.skipIf(!infra || !hasGo)('the harness FerretDB', () => {
  const dirs: string[] = [];
  const servers: FerretDb[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('keeps every acknowledged write when it is killed (synchronous=normal), and comes back with them', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tally-ferretdb-'));
    dirs.push(dataDir);
    const first = await startFerretDb({ dataDir, synchronous: 'normal' });
    servers.push(first);
    const client = new MongoClient(first.url);
    await client.connect();
    try {
      const docs = client.db('crash').collection<{ _id: string; n: number }>('docs');
      await docs.insertMany(Array.from({ length: 100 }, (_, i) => ({ _id: `d${i}`, n: i })));
      for (let i = 0; i < 100; i++) await docs.updateOne({ _id: `d${i}` }, { $inc: { n: 1000 } });
    } finally {
      await client.close(true);
    }
    process.kill(first.pid, 'SIGKILL');
    await first.stop(); // resolves once the killed process is gone

    const second = await startFerretDb({ dataDir, port: first.options.port, synchronous: 'normal' });
    servers.push(second);
    const again = new MongoClient(second.url);
    await again.connect();
    try {
      const docs = await again.db('crash').collection<{ _id: string; n: number }>('docs').find({}).toArray();
      expect(docs).toHaveLength(100);
      expect(docs.every((d) => d.n === Number(d._id.slice(1)) + 1000)).toBe(true);
    } finally {
      await again.close();
    }
  });

  it('refuses an unknown --sqlite-synchronous value at start', async () => {
    const bin = await ensureFerretDbBinary();
    const run = spawnSync(bin, ['--listen-addr=127.0.0.1:0', `--sqlite-dir=${join(tmpdir(), 'tally-ferretdb-never')}`, '--sqlite-synchronous=off'], { encoding: 'utf8', timeout: 10_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('--sqlite-synchronous must be full or normal, not "off"');
  });
});
