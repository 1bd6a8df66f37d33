/**
 * The one place that loads better-sqlite3: every embedded adapter, the import spool and the tests construct
 * their databases with the `Database` exported here, never with `import Database from 'better-sqlite3'`.
 *
 * Two majors, chosen by what the running Node supports (README.md, "Node versions"):
 * - better-sqlite3 13 (the `better-sqlite3-13` npm alias, an optional dependency) is a Node-API 10 addon.
 *   Node-API 10 exists from Node 22.14 on (24, 26), not on Node 20 (13 segfaults there) nor 22.12-22.13.
 * - better-sqlite3 12 runs on Node 20 and 22, but derives its statements and databases from the header-only
 *   `node::ObjectWrap`, which since Node 24.19 removes an environment cleanup hook in its destructor and
 *   aborts the process (`Assertion failed: (env) != nullptr`) when the garbage collector finalizes one from
 *   a background task (nodejs/node#65446; no 12.x fix). So 12 is used only where 13 cannot load.
 * pnpm skips the optional alias where its `engines` (node >= 22) do not match, so Node 20 installs 12 alone.
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

/** Node-API version the better-sqlite3 13 addon is built for */
const NODE_API_OF_13 = 10;

/** the package name loaded on this Node: the alias of 13 where Node-API 10 exists, else 12 */
export const driverPackage: 'better-sqlite3-13' | 'better-sqlite3' =
  Number(process.versions.napi ?? 0) >= NODE_API_OF_13 ? 'better-sqlite3-13' : 'better-sqlite3';

// createRequire: both majors are CommonJS addons, and which one loads is decided at run time.
const load = createRequire(import.meta.url);

function loadDriver(): typeof BetterSqlite3 {
  try {
    return load(driverPackage) as typeof BetterSqlite3;
  } catch (error) {
    if (driverPackage === 'better-sqlite3-13' && (error as { code?: string }).code === 'MODULE_NOT_FOUND') {
      throw new Error(
        `Node ${process.version} runs SQLite on better-sqlite3 13 (the optional dependency better-sqlite3-13), ` +
          'which is not installed: run `pnpm install` again with this Node', { cause: error });
    }
    throw error;
  }
}

/** the better-sqlite3 constructor for this Node (same API in 12 and 13; typed by @types/better-sqlite3) */
export const Database: typeof BetterSqlite3 = loadDriver();
export type Database = BetterSqlite3.Database;

/** which better-sqlite3 runs here, e.g. `better-sqlite3 13.2.0 (SQLite 3.54.1)`: for logs and the smoke check */
export function driverDescription(): string {
  const version = (load(`${driverPackage}/package.json`) as { version: string }).version;
  const db = new Database(':memory:');
  try {
    const sqlite = (db.prepare('select sqlite_version() as v').get() as { v: string }).v;
    return `better-sqlite3 ${version} (SQLite ${sqlite})`;
  } finally {
    db.close();
  }
}
