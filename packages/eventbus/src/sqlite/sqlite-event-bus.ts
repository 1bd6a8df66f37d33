import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type Database from 'better-sqlite3';
import type { EventBus, OutgoingMessage, SubscribeOptions, Subscription, TopicSpec } from '../port';
import { checkpointFor, openDatabase, type BackgroundCheckpoint, type SqliteOpenOptions } from '@tally/sqlite';
import { SqliteLog, type TopicPartition } from './sqlite-log';
import { SqliteSubscription, type SubscriptionHost } from './sqlite-subscription';
import { notifyPublished } from './wakeup';

export interface SqliteEventBusOptions extends SqliteOpenOptions {
  /** how often an idle subscription looks for messages published by other processes; default 15 ms */
  pollIntervalMs?: number;
  /** first retry delay of a failing batch, doubled per attempt up to retryMaxMs; defaults 50 ms and 5 s */
  retryInitialMs?: number;
  retryMaxMs?: number;
}

/**
 * The embedded event bus: a partitioned log in one SQLite file (WAL), shareable by several processes.
 *
 * Consumer groups are coordinated only inside one process: members of the same group in this process split
 * the partitions statically (partition p of a topic goes to member p mod n, in join order; recomputed as members
 * join and leave, and a partition is never handled by two members at once). Two PROCESSES subscribing with the
 * same group would each consume every partition, so give each process its own groups.
 */
export class SqliteEventBus implements EventBus, SubscriptionHost {
  readonly log: SqliteLog;
  readonly channel: string;
  readonly pollIntervalMs: number;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  private readonly db: Database.Database;
  private readonly members = new Map<string, SqliteSubscription[]>();
  private readonly inFlight = new Set<string>();
  private readonly checkpoint: BackgroundCheckpoint | null;
  /** bumped by every change made through this bus that consumers must notice (see changeStamp) */
  private generation = 0;
  private closed = false;

  constructor(path: string, options: SqliteEventBusOptions = {}) {
    // FULL: the relay marks events published once publish() resolves, so a power loss must not drop them.
    this.db = openDatabase(path, { synchronous: 'FULL', ...options });
    this.log = new SqliteLog(this.db);
    this.checkpoint = checkpointFor(this.db, options);
    this.channel = path === ':memory:' || path === '' ? `memory:${randomUUID()}` : resolve(path);
    this.pollIntervalMs = options.pollIntervalMs ?? 15;
    this.retryInitialMs = options.retryInitialMs ?? 50;
    this.retryMaxMs = options.retryMaxMs ?? 5_000;
  }

  async ensureTopics(topics: TopicSpec[]): Promise<void> {
    this.assertOpen();
    this.log.ensureTopics(topics);
  }

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    this.assertOpen();
    this.log.publish(topic, messages);
    this.generation += 1;
    notifyPublished(this.channel);
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.assertOpen();
    if (!options.groupId) throw new TypeError('groupId is required');
    if (options.topics.length === 0) throw new TypeError('subscribe needs at least one topic');
    const member = new SqliteSubscription(this, options);
    if (options.from === 'latest') this.log.initAtEnd(options.groupId, member.topicPartitions);
    const group = this.members.get(options.groupId) ?? [];
    group.push(member);
    this.members.set(options.groupId, group);
    this.generation += 1;
    member.start();
    return member;
  }

  async resetGroup(groupId: string, topics: string[]): Promise<void> {
    this.assertOpen();
    this.log.resetGroup(groupId, topics);
    this.generation += 1;
    notifyPublished(this.channel);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const all = [...this.members.values()].flat();
    await Promise.all(all.map((m) => m.stop()));
    this.closed = true;
    this.log.flush();
    await this.checkpoint?.close();
    this.db.close();
  }

  changeStamp(): string {
    return `${this.log.dataVersion()}:${this.generation}`;
  }

  assignment(member: SqliteSubscription): TopicPartition[] {
    const group = this.members.get(member.groupId) ?? [];
    return member.topicPartitions.filter((tp) => {
      const candidates = group.filter((m) => m.topics.includes(tp.topic));
      return candidates[tp.partition % candidates.length] === member;
    });
  }

  claim(groupId: string, tp: TopicPartition): boolean {
    const key = lockKey(groupId, tp);
    if (this.inFlight.has(key)) return false;
    this.inFlight.add(key);
    return true;
  }

  release(groupId: string, tp: TopicPartition): void {
    this.inFlight.delete(lockKey(groupId, tp));
  }

  leave(member: SqliteSubscription): void {
    const group = this.members.get(member.groupId);
    if (!group) return;
    this.generation += 1;
    const rest = group.filter((m) => m !== member);
    if (rest.length > 0) this.members.set(member.groupId, rest);
    else this.members.delete(member.groupId);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('SqliteEventBus is closed');
  }
}

export function openSqliteEventBus(path: string, options?: SqliteEventBusOptions): SqliteEventBus {
  return new SqliteEventBus(path, options);
}

function lockKey(groupId: string, tp: TopicPartition): string {
  return `${groupId}\u0000${tp.topic}\u0000${tp.partition}`;
}
