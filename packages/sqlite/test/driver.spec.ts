import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { driverDescription } from '@tally/sqlite';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const nodeApi = Number(process.versions.napi ?? 0);

describe('the better-sqlite3 driver of this Node', () => {
  it('is better-sqlite3 13 where Node-API 10 exists (Node 22.14+, 24), else 12 (Node 20)', () => {
    expect(driverDescription()).toMatch(nodeApi >= 10 ? /^better-sqlite3 13\.\d+\.\d+ \(SQLite 3\./ : /^better-sqlite3 12\.\d+\.\d+ \(SQLite 3\./);
  });

  it('survives the garbage collector finalizing closed databases and dropped statements', () => {
    // better-sqlite3 12 aborts the process here on Node 24.19+ (`Assertion failed: (env) != nullptr` in
    // ~Database/~Statement, nodejs/node#65446): in a child process, so that an abort is reported, not fatal
    const script = `
      import { Database } from '@tally/sqlite';
      let rows = 0;
      for (let i = 0; i < 20000; i++) {
        const db = new Database(':memory:');
        rows += db.prepare('select ? as n').get(i).n === i ? 1 : 0;
        db.close();
      }
      process.stdout.write('rows ' + rows);
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect({ status: child.status, signal: child.signal, stderr: child.stderr.slice(0, 2000) }).toEqual({ status: 0, signal: null, stderr: '' });
    expect(child.stdout).toBe('rows 20000');
  });
});
