import type Database from 'better-sqlite3';
import { TallyError, type StoredEvent } from '@tally/contracts';
import {
  StreamVersionConflictError,
  type AppendResult,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
} from '../port';
import { checkpointFor, openDatabase, type BackgroundCheckpoint, type SqliteOpenOptions } from '@tally/sqlite';
import { envelopeOf, validateAppend, versionMatches } from '../append-rules';
import { SqliteLeases } from './sqlite-lease';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position       INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id      TEXT    NOT NULL,
  stream_version INTEGER NOT NULL,
  id             TEXT    NOT NULL UNIQUE,
  type           TEXT    NOT NULL,
  envelope       TEXT    NOT NULL CHECK (json_valid(envelope)),
  UNIQUE (stream_id, stream_version)
);
CREATE TABLE IF NOT EXISTS checkpoints (
  name     TEXT    PRIMARY KEY,
  position INTEGER NOT NULL
);`;

const RELAY_CHECKPOINT = 'relay';

interface EventRow {
  position: number;
  stream_version: number;
  envelope: string;
}

interface PendingAppend {
  streamId: string;
  events: NewEvent[];
  expected: ExpectedVersion;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

/**
 * The embedded event store. Positions come from one AUTOINCREMENT key and SQLite has a single writer,
 * so positions grow in commit order: a reader of `readAll` can never miss an event committed later
 * with a smaller position (the relay depends on this).
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly stmts;
  private readonly appendTx;
  private readonly groupTx;
  /** appends waiting for the next group commit (see append) */
  private queue: PendingAppend[] = [];
  private readonly leases: SqliteLeases;
  private readonly checkpoint: BackgroundCheckpoint | null;
  private closed = false;

  constructor(path: string, options: SqliteOpenOptions = {}) {
    // The event store is the system of record: FULL unless the caller explicitly trades durability away.
    this.db = openDatabase(path, { synchronous: 'FULL', ...options });
    this.db.exec(SCHEMA);
    this.checkpoint = checkpointFor(this.db, options);
    this.leases = new SqliteLeases(this.db);
    this.stmts = {
      version: this.db
        .prepare<[string], number>('SELECT COALESCE(MAX(stream_version), 0) FROM events WHERE stream_id = ?')
        .pluck(),
      insert: this.db.prepare<[string, number, string, string, string]>(
        'INSERT INTO events (stream_id, stream_version, id, type, envelope) VALUES (?, ?, ?, ?, ?)',
      ),
      readStream: this.db.prepare<[string, number], EventRow>(
        'SELECT position, stream_version, envelope FROM events WHERE stream_id = ? AND stream_version >= ? ORDER BY stream_version',
      ),
      readAll: this.db.prepare<[number, number], EventRow>(
        'SELECT position, stream_version, envelope FROM events WHERE position > ? ORDER BY position LIMIT ?',
      ),
      head: this.db.prepare<[], number>('SELECT COALESCE(MAX(position), 0) FROM events').pluck(),
      checkpoint: this.db.prepare<[string], number>('SELECT position FROM checkpoints WHERE name = ?').pluck(),
      advance: this.db.prepare<[string, number]>(
        `INSERT INTO checkpoints (name, position) VALUES (?, ?)
         ON CONFLICT (name) DO UPDATE SET position = MAX(position, excluded.position)`,
      ),
    };
    this.appendTx = this.db.transaction((streamId: string, events: NewEvent[], expected: ExpectedVersion): AppendResult => {
      const actual = this.stmts.version.get(streamId) ?? 0;
      if (!versionMatches(expected, actual)) throw new StreamVersionConflictError(streamId, expected, actual);
      const positions: number[] = [];
      let version = actual;
      for (const event of events) {
        version += 1;
        const info = this.stmts.insert.run(streamId, version, event.id, event.type, JSON.stringify(envelopeOf(event)));
        positions.push(Number(info.lastInsertRowid));
      }
      return { nextVersion: version, positions };
    });
    // each append in its own savepoint (a nested transaction): a conflict undoes that append only
    this.groupTx = this.db.transaction((batch: PendingAppend[]) =>
      batch.map((a): { result: AppendResult } | { error: unknown } => {
        try {
          return { result: this.appendTx(a.streamId, a.events, a.expected) };
        } catch (error) {
          return { error };
        }
      }),
    );
  }

  async append(streamId: string, events: NewEvent[], expectedVersion: ExpectedVersion): Promise<AppendResult> {
    this.assertOpen();
    validateAppend(streamId, events, expectedVersion);
    // Group commit: the appends made during one turn of the event loop (concurrent submissions) are committed in
    // one transaction right after it, one durable write for all; each resolves only once that commit is done.
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ streamId, events, expected: expectedVersion, resolve, reject });
      if (this.queue.length === 1) setImmediate(() => this.commitAppends());
    });
  }

  private commitAppends(): void {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let outcomes: Array<{ result: AppendResult } | { error: unknown }>;
    try {
      // IMMEDIATE takes the write lock before the version checks, so another process cannot slip in between.
      outcomes = this.groupTx.immediate(batch);
    } catch (error) {
      for (const a of batch) a.reject(this.mapAppendError(error, a.streamId, a.expected));
      return;
    }
    batch.forEach((a, i) => {
      const o = outcomes[i]!;
      if ('result' in o) a.resolve(o.result);
      else a.reject(this.mapAppendError(o.error, a.streamId, a.expected));
    });
  }

  async readStream(streamId: string, fromVersion = 1): Promise<StoredEvent[]> {
    this.assertOpen();
    return this.stmts.readStream.all(streamId, fromVersion).map(toStored);
  }

  async streamVersion(streamId: string): Promise<number> {
    this.assertOpen();
    return this.stmts.version.get(streamId) ?? 0;
  }

  async readAll(afterPosition: number, limit: number): Promise<StoredEvent[]> {
    this.assertOpen();
    if (limit <= 0) return [];
    return this.stmts.readAll.all(afterPosition, Math.floor(limit)).map(toStored);
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.stmts.head.get() ?? 0;
  }

  async publishedPosition(): Promise<number> {
    this.assertOpen();
    return this.stmts.checkpoint.get(RELAY_CHECKPOINT) ?? 0;
  }

  async markPublished(position: number): Promise<void> {
    this.assertOpen();
    if (!Number.isSafeInteger(position) || position < 0) throw new TypeError(`invalid position ${position}`);
    this.stmts.advance.run(RELAY_CHECKPOINT, position);
  }

  acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.leases.acquireLease(name, holder, ttlMs);
  }

  releaseLease(name: string, holder: string): Promise<void> {
    return this.leases.releaseLease(name, holder);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.commitAppends(); // what was accepted before close is committed (or refused) before the file closes
    this.closed = true;
    await this.checkpoint?.close();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('SqliteEventStore is closed');
  }

  private mapAppendError(error: unknown, streamId: string, expected: ExpectedVersion): unknown {
    if (error instanceof StreamVersionConflictError) return error;
    const code = (error as { code?: unknown }).code;
    const message = String((error as { message?: unknown }).message ?? '');
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      if (message.includes('events.id')) {
        return new TallyError('INVALID_REQUEST', `stream ${streamId}: an event with this id was already appended`, { streamId });
      }
      // Only reachable if the version check was bypassed by a racing writer: still the one typed conflict.
      return new StreamVersionConflictError(streamId, expected, this.stmts.version.get(streamId) ?? 0);
    }
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED') {
      return new TallyError('UNAVAILABLE', 'event store is busy (write lock held by another process)', { streamId });
    }
    return error;
  }
}

export function openSqliteEventStore(path: string, options?: SqliteOpenOptions): SqliteEventStore {
  return new SqliteEventStore(path, options);
}

function toStored(row: EventRow): StoredEvent {
  return { ...(JSON.parse(row.envelope) as NewEvent), streamVersion: row.stream_version, position: row.position };
}
