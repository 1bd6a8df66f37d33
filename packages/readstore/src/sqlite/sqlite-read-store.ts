import type Database from 'better-sqlite3';
import type { Collection, CounterCollection, Doc, ReadStore } from '../port';
import { openDatabase, type SqliteOpenOptions } from '@tally/sqlite';
import { assertCollectionName, quoteIdent } from './paths';
import { SqliteCollection, type CollectionHost } from './sqlite-collection';
import { SqliteCounterCollection, type CounterHost } from './sqlite-counter-collection';
import type { SqlParam } from './filter-sql';

const TABLE_PREFIX = 'rs_';
/** pages of WAL (4 KiB each) before SQLite checkpoints it into the database file: 40 MiB */
const READ_STORE_WAL_CHECKPOINT_PAGES = 10_000;

/**
 * The embedded read store: one table (id, doc JSON) per collection. Read models can be rebuilt from the log,
 * so synchronous=NORMAL by default (survives a process crash, not necessarily a power loss).
 */
export class SqliteReadStore implements ReadStore, CollectionHost, CounterHost {
  private readonly db: Database.Database;
  private readonly tables = new Set<string>();
  private readonly counterTables = new Set<string>();
  private readonly statements = new Map<string, Database.Statement<SqlParam[]>>();
  private closed = false;

  constructor(path: string, options: SqliteOpenOptions = {}) {
    this.db = openDatabase(path, { synchronous: 'NORMAL', ...options });
    // Read models rewrite the same pages over and over (a province's rollup shares, once per report): a longer WAL
    // between checkpoints copies each page to the database once for many commits (SQLite's default: 1,000 pages)
    this.db.pragma(`wal_autocheckpoint = ${READ_STORE_WAL_CHECKPOINT_PAGES}`);
  }

  collection<T extends Doc = Doc>(name: string): Collection<T> {
    assertCollectionName(name);
    return new SqliteCollection<T>(this, name);
  }

  counters(name: string): CounterCollection {
    assertCollectionName(name);
    return new SqliteCounterCollection(this, name);
  }

  async dropAll(prefix = ''): Promise<void> {
    this.assertOpen();
    const names = this.db
      .prepare<[], string>(`SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, ${TABLE_PREFIX.length}) = '${TABLE_PREFIX}'`)
      .pluck()
      .all()
      .map((table) => table.slice(TABLE_PREFIX.length))
      .filter((collection) => collection.startsWith(prefix));
    this.db.transaction(() => {
      for (const collection of names) this.db.exec(`DROP TABLE IF EXISTS ${quoteIdent(TABLE_PREFIX + collection)}`);
    }).immediate();
    for (const collection of names) {
      this.tables.delete(collection);
      this.counterTables.delete(collection);
    }
    // statements compiled against dropped tables are useless now
    this.statements.clear();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  table(collection: string): string {
    this.assertOpen();
    const quoted = quoteIdent(TABLE_PREFIX + collection);
    if (!this.tables.has(collection)) {
      this.db.exec(`CREATE TABLE IF NOT EXISTS ${quoted} (id TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID`);
      this.tables.add(collection);
    }
    return quoted;
  }

  /** a counter collection's table: the scalar fields in `doc` (so filters and indexes work as for documents) */
  counterTable(collection: string): string {
    this.assertOpen();
    const quoted = quoteIdent(TABLE_PREFIX + collection);
    if (!this.counterTables.has(collection)) {
      this.db.exec(`CREATE TABLE IF NOT EXISTS ${quoted} (id TEXT PRIMARY KEY, doc TEXT NOT NULL, applied REAL NOT NULL, keys TEXT NOT NULL, vals BLOB NOT NULL)`);
      this.counterTables.add(collection);
    }
    return quoted;
  }

  all(sql: string, params: SqlParam[]): Array<Record<string, unknown>> {
    return this.statement(sql).all(...params) as Array<Record<string, unknown>>;
  }

  run(sql: string, params: SqlParam[]): void {
    this.statement(sql).run(...params);
  }

  writeTransaction<R>(fn: () => R): R {
    this.assertOpen();
    return this.db.transaction(fn).immediate();
  }

  private statement(sql: string): Database.Statement<SqlParam[]> {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare<SqlParam[]>(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('SqliteReadStore is closed');
  }
}

export function openSqliteReadStore(path: string, options?: SqliteOpenOptions): SqliteReadStore {
  return new SqliteReadStore(path, options);
}
