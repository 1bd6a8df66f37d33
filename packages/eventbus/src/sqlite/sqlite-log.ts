import type Database from 'better-sqlite3';
import { partitionFor, type BusMessage, type OutgoingMessage, type TopicSpec } from '../port';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS topics (
  name       TEXT    PRIMARY KEY,
  partitions INTEGER NOT NULL CHECK (partitions > 0)
);
CREATE TABLE IF NOT EXISTS messages (
  topic        TEXT    NOT NULL,
  partition_no INTEGER NOT NULL,
  msg_offset   INTEGER NOT NULL,
  key          TEXT    NOT NULL,
  value        TEXT    NOT NULL,
  headers      TEXT    NOT NULL,
  PRIMARY KEY (topic, partition_no, msg_offset)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS group_offsets (
  group_id     TEXT    NOT NULL,
  topic        TEXT    NOT NULL,
  partition_no INTEGER NOT NULL,
  committed    INTEGER NOT NULL,
  PRIMARY KEY (group_id, topic, partition_no)
) WITHOUT ROWID;`;

interface MessageRow {
  msg_offset: number;
  key: string;
  value: string;
  headers: string;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** The storage side of the embedded bus: a partitioned append-only log plus committed group offsets. */
export class SqliteLog {
  private readonly partitionCounts = new Map<string, number>();
  private readonly stmts;
  private readonly publishTx;
  private readonly ensureTx;
  private readonly commitTx;
  /** offsets committed by handlers and not yet written: one transaction for all of them (see commit) */
  private readonly pending = new Map<string, { groupId: string; tp: TopicPartition; next: number }>();
  private flushScheduled = false;
  /** end offsets per partition, valid while the data version is `endsVersion` (see knownEnd) */
  private readonly ends = new Map<string, number>();
  private endsVersion = -1;
  /** the messages fetched last, parsed (see fetch) */
  private readonly recent = new Map<string, BusMessage>();

  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
    this.stmts = {
      topic: db.prepare<[string], number>('SELECT partitions FROM topics WHERE name = ?').pluck(),
      createTopic: db.prepare<[string, number]>('INSERT OR IGNORE INTO topics (name, partitions) VALUES (?, ?)'),
      end: db
        .prepare<[string, number], number>(
          'SELECT COALESCE(MAX(msg_offset) + 1, 0) FROM messages WHERE topic = ? AND partition_no = ?',
        )
        .pluck(),
      insert: db.prepare<[string, number, number, string, string, string]>(
        'INSERT INTO messages (topic, partition_no, msg_offset, key, value, headers) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      fetch: db.prepare<[string, number, number, number], MessageRow>(
        `SELECT msg_offset, key, value, headers FROM messages
         WHERE topic = ? AND partition_no = ? AND msg_offset >= ? ORDER BY msg_offset LIMIT ?`,
      ),
      committed: db
        .prepare<[string, string, number], number>(
          'SELECT committed FROM group_offsets WHERE group_id = ? AND topic = ? AND partition_no = ?',
        )
        .pluck(),
      commit: db.prepare<[string, string, number, number]>(
        `INSERT INTO group_offsets (group_id, topic, partition_no, committed) VALUES (?, ?, ?, ?)
         ON CONFLICT (group_id, topic, partition_no) DO UPDATE SET committed = excluded.committed`,
      ),
      initOffset: db.prepare<[string, string, number, number]>(
        'INSERT OR IGNORE INTO group_offsets (group_id, topic, partition_no, committed) VALUES (?, ?, ?, ?)',
      ),
      reset: db.prepare<[string, string]>('DELETE FROM group_offsets WHERE group_id = ? AND topic = ?'),
      dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
    };
    this.ensureTx = db.transaction((topics: TopicSpec[]) => {
      for (const t of topics) this.stmts.createTopic.run(t.name, t.partitions);
    });
    this.commitTx = db.transaction((rows: Array<{ groupId: string; tp: TopicPartition; next: number }>) => {
      for (const r of rows) this.stmts.commit.run(r.groupId, r.tp.topic, r.tp.partition, r.next);
    });
    this.publishTx = db.transaction((topic: string, rows: Array<[number, string, string, string]>) => {
      // Offsets are assigned under the write lock, so concurrent publishers (even other processes) never collide.
      const next = new Map<number, number>();
      for (const [partition, key, value, headers] of rows) {
        const offset = next.get(partition) ?? this.stmts.end.get(topic, partition) ?? 0;
        this.stmts.insert.run(topic, partition, offset, key, value, headers);
        next.set(partition, offset + 1);
      }
      return next;
    });
  }

  ensureTopics(topics: TopicSpec[]): void {
    for (const t of topics) {
      if (!/^[A-Za-z0-9._-]+$/.test(t.name)) throw new TypeError(`invalid topic name "${t.name}"`);
      if (!Number.isSafeInteger(t.partitions) || t.partitions < 1) throw new TypeError(`invalid partition count for ${t.name}`);
    }
    // An existing topic keeps its partition count: changing it would move keys to other partitions.
    this.ensureTx.immediate(topics);
  }

  /** Partition count of a topic; throws for an unknown topic (the embedded bus never auto-creates). */
  partitions(topic: string): number {
    const cached = this.partitionCounts.get(topic);
    if (cached !== undefined) return cached;
    const count = this.stmts.topic.get(topic);
    if (count === undefined) throw new Error(`unknown topic "${topic}": call ensureTopics first`);
    this.partitionCounts.set(topic, count);
    return count;
  }

  topicPartitions(topics: string[]): TopicPartition[] {
    return topics.flatMap((topic) => Array.from({ length: this.partitions(topic) }, (_, partition) => ({ topic, partition })));
  }

  publish(topic: string, messages: OutgoingMessage[]): void {
    const n = this.partitions(topic);
    const rows = messages.map((m): [number, string, string, string] => {
      if (typeof m.key !== 'string') throw new TypeError('message key must be a string');
      const value = JSON.stringify(m.value);
      if (value === undefined) throw new TypeError('message value must be JSON-serializable');
      return [partitionFor(m.key, n), m.key, value, JSON.stringify(m.headers ?? {})];
    });
    if (rows.length === 0) return;
    const next = this.publishTx.immediate(topic, rows);
    for (const [partition, end] of next) this.ends.set(offsetKey('', { topic, partition }), end);
  }

  /**
   * Messages from `fromOffset` on. Every group of this process reads the same messages soon after they are
   * published (six groups read each report event), so the messages read last are kept, parsed, and handed to the
   * next group as they are: deep-frozen, since handlers share them (they only read events; a handler that
   * changed one would throw instead of changing what another group sees). Messages never change once written.
   */
  fetch(tp: TopicPartition, fromOffset: number, limit: number): BusMessage[] {
    const out: BusMessage[] = [];
    for (let o = fromOffset; out.length < limit; o++) {
      const cached = this.recent.get(messageKey(tp, o));
      if (!cached) break;
      out.push(cached);
    }
    if (out.length === limit) return out;
    for (const row of this.stmts.fetch.all(tp.topic, tp.partition, fromOffset + out.length, limit - out.length)) {
      const m: BusMessage = deepFreeze({
        topic: tp.topic,
        partition: tp.partition,
        offset: row.msg_offset,
        key: row.key,
        value: JSON.parse(row.value) as unknown,
        headers: JSON.parse(row.headers) as Record<string, string>,
      });
      this.remember(m);
      out.push(m);
    }
    return out;
  }

  private remember(m: BusMessage): void {
    this.recent.set(messageKey(m, m.offset), m);
    // the oldest first out (a Map iterates in insertion order)
    if (this.recent.size > RECENT_MESSAGES) this.recent.delete(this.recent.keys().next().value!);
  }

  /**
   * Changes whenever ANOTHER connection (any process) commits; this connection's own writes do not change it.
   * A change also drops the end offsets this log knows (see knownEnd).
   */
  dataVersion(): number {
    const version = this.stmts.dataVersion.get() ?? 0;
    if (version !== this.endsVersion) {
      this.ends.clear();
      this.endsVersion = version;
    }
    return version;
  }

  /**
   * The end offset of a partition as of the last dataVersion() read: this connection's publishes keep it, another
   * connection's commit drops it (read again then). A subscription's pass starts with a dataVersion() read (its
   * change stamp), so a partition with nothing new costs it no query; a commit by another connection during the
   * pass is seen by the next one, which that commit's new data version starts.
   */
  knownEnd(tp: TopicPartition): number {
    const key = offsetKey('', tp);
    let end = this.ends.get(key);
    if (end === undefined) {
      end = this.endOffset(tp);
      this.ends.set(key, end);
    }
    return end;
  }

  endOffset(tp: TopicPartition): number {
    return this.stmts.end.get(tp.topic, tp.partition) ?? 0;
  }

  committed(groupId: string, tp: TopicPartition): number | undefined {
    return this.pending.get(offsetKey(groupId, tp))?.next ?? this.stmts.committed.get(groupId, tp.topic, tp.partition);
  }

  /**
   * Group commit of consumer offsets: the offsets committed during one turn of the event loop (every group and
   * partition that finished a batch) are written in one transaction right after it (setImmediate), not one
   * durable write each. This process reads its own pending offsets; a crash before the write redelivers those
   * batches, which at-least-once delivery allows (handlers are idempotent).
   */
  commit(groupId: string, tp: TopicPartition, nextOffset: number): void {
    this.pending.set(offsetKey(groupId, tp), { groupId, tp, next: nextOffset });
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      try {
        this.flush();
      } catch {
        // busy or closed: the offsets stay pending (and visible here); the next commit or close writes them
      }
    });
  }

  /** Writes the pending offsets now (on close, and after each turn with commits). */
  flush(): void {
    if (this.pending.size === 0 || !this.db.open) return;
    const rows = [...this.pending.values()];
    this.commitTx.immediate(rows);
    for (const r of rows) {
      const key = offsetKey(r.groupId, r.tp);
      if (this.pending.get(key) === r) this.pending.delete(key);
    }
  }

  /** For from='latest': pins a group that has no offset yet to the current end, so later messages are seen. */
  initAtEnd(groupId: string, tps: TopicPartition[]): void {
    this.db.transaction(() => {
      for (const tp of tps) this.stmts.initOffset.run(groupId, tp.topic, tp.partition, this.endOffset(tp));
    }).immediate();
  }

  resetGroup(groupId: string, topics: string[]): void {
    for (const [key, r] of this.pending) if (r.groupId === groupId && topics.includes(r.tp.topic)) this.pending.delete(key);
    this.db.transaction(() => {
      for (const topic of topics) this.stmts.reset.run(groupId, topic);
    }).immediate();
  }
}

/** how many parsed messages the log keeps for the next group that reads them (a report event is a few KiB) */
const RECENT_MESSAGES = 2_000;

const messageKey = (tp: TopicPartition, offset: number): string => `${tp.topic}\u0000${tp.partition}\u0000${offset}`;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const offsetKey = (groupId: string, tp: TopicPartition): string => `${groupId}\u0000${tp.topic}\u0000${tp.partition}`;
