import type Database from 'better-sqlite3';
import type { Collection, CounterCollection, Doc, ReadStore } from '../port';
import { checkpointFor, openDatabase, type BackgroundCheckpoint, type SqliteOpenOptions } from '@tally/sqlite';
import { assertCollectionName, quoteIdent } from './paths';
import { SqliteCollection, type CollectionHost } from './sqlite-collection';
import { SqliteCounterCollection, type CounterHost } from './sqlite-counter-collection';
import type { SqlParam } from './filter-sql';

const TABLE_PREFIX = 'rs_';
/** the counter name lists stored by reference, shared by the counter collections (sqlite-counter-collection.ts) */
const KEY_SETS = '_counter_key_sets';
/** pages of WAL (4 KiB each) before SQLite checkpoints it into the database file: 40 MiB */
const READ_STORE_WAL_CHECKPOINT_PAGES = 10_000;
/** the same when a worker checkpoints the file: only a fallback then (the worker fell behind or failed) */
const READ_STORE_BACKGROUND_FALLBACK_PAGES = 4 * READ_STORE_WAL_CHECKPOINT_PAGES;

/**
 * The embedded read store: one table (id, doc JSON) per collection. Read models can be rebuilt from the log,
 * so synchronous=NORMAL by default (survives a process crash, not necessarily a power loss).
 *
 * Group commit: every consumer writes here (rollup shares, receipts, ledgers, report views, inboxes, open data),
 * each a few small transactions per batch, and a commit (WAL frames, the pager's end of transaction) cost more
 * than most of the writes. Writes therefore share one IMMEDIATE transaction (a group), committed at the end of the
 * event-loop turn it was opened in (setImmediate); `flush()` resolves once that commit is done (a consumer flushes
 * once per batch, before its offsets are committed: see ReadStore.flush), so the batches of several consumers that
 * end in one turn share one commit. Each write runs at once in its own savepoint (one that fails
 * undoes only itself) and is visible to this store's readers at once. Groups commit in the order of their writes,
 * so a crash keeps a prefix of the writes, as when each committed alone. One store per file per process: an open
 * group holds the file's write lock until the end of the turn, and a second connection of the same thread waiting
 * for it would wait (synchronously) until its busy timeout.
 *
 * A commit that fails (disk full, I/O error) loses its group's writes, whoever made them: the store then refuses
 * every later write and flush with that error (fail-stop), so no consumer commits an offset past a lost write;
 * a restart reopens it and the consumers redeliver from their durable offsets.
 */
export class SqliteReadStore implements ReadStore, CollectionHost, CounterHost {
  private readonly db: Database.Database;
  private readonly tables = new Set<string>();
  private readonly counterTables = new Set<string>();
  private keySetTableReady = false;
  readonly storedKeySets = new Set<string>();
  private readonly statements = new Map<string, Database.Statement<SqlParam[]>>();
  /** the open group's transaction (its write lock is held until it commits) */
  private groupOpen = false;
  /** resolves when the open group has committed (or failed: see `broken`) */
  private groupCommitted: Promise<void> = Promise.resolve();
  private resolveGroup: () => void = () => undefined;
  /** set once a group's commit failed: every later write and flush is refused (see the class) */
  private broken: unknown = null;
  private readonly checkpoint: BackgroundCheckpoint | null;
  private closed = false;

  constructor(path: string, options: SqliteOpenOptions = {}) {
    this.db = openDatabase(path, { synchronous: 'NORMAL', ...options });
    // Read models rewrite the same pages over and over (a province's rollup shares, once per report): a longer WAL
    // between checkpoints copies each page to the database once for many commits (SQLite's default: 1,000 pages)
    this.db.pragma(`wal_autocheckpoint = ${READ_STORE_WAL_CHECKPOINT_PAGES}`);
    this.checkpoint = checkpointFor(this.db, options, READ_STORE_BACKGROUND_FALLBACK_PAGES);
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
    if (names.includes(KEY_SETS)) {
      this.keySetTableReady = false;
      this.storedKeySets.clear();
    }
    // statements compiled against dropped tables are useless now
    this.statements.clear();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.commitGroup(); // what was written before close is committed first
    this.closed = true;
    await this.checkpoint?.close();
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

  keySetTable(): string {
    this.assertOpen();
    const quoted = quoteIdent(TABLE_PREFIX + KEY_SETS);
    if (!this.keySetTableReady) {
      this.db.exec(`CREATE TABLE IF NOT EXISTS ${quoted} (id TEXT PRIMARY KEY, names TEXT NOT NULL) WITHOUT ROWID`);
      this.keySetTableReady = true;
    }
    return quoted;
  }

  all(sql: string, params: SqlParam[]): Array<Record<string, unknown>> {
    return this.statement(sql).all(...params) as Array<Record<string, unknown>>;
  }

  run(sql: string, params: SqlParam[]): void {
    this.statement(sql).run(...params);
  }

  /** Runs fn now, in the open group (see the class), with the write lock held; durable after the next flush(). */
  inGroup<R>(fn: () => R): R {
    this.assertOpen();
    // SQLite rolls a whole transaction back by itself on some errors (SQLITE_FULL, I/O): that group is lost
    if (this.groupOpen && !this.db.inTransaction) this.commitGroup();
    if (this.broken !== null) throw this.broken;
    if (!this.groupOpen) {
      this.db.exec('BEGIN IMMEDIATE'); // the write lock before the read of read-modify-write
      this.groupOpen = true;
      this.groupCommitted = new Promise((resolve) => (this.resolveGroup = resolve));
      setImmediate(() => {
        if (!this.closed) this.commitGroup();
      });
    }
    return this.db.transaction(fn)(); // nested in the group: a savepoint
  }

  /**
   * Resolves once the open group has committed (see ReadStore.flush): at the end of the event-loop turn it was
   * opened in, so the batches of several consumers that end in one turn share one commit.
   */
  async flush(): Promise<void> {
    if (this.groupOpen) await this.groupCommitted;
    if (this.broken !== null) throw this.broken;
  }

  private commitGroup(): void {
    if (!this.groupOpen) return;
    this.groupOpen = false;
    try {
      if (!this.db.inTransaction) throw new Error('the read store transaction was rolled back by SQLite');
      this.db.exec('COMMIT');
    } catch (error) {
      this.broken = error;
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch {
        // the connection is broken: refused from now on anyway
      }
    } finally {
      this.resolveGroup();
    }
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
