import type { BusMessage, DeliveryErrorContext, PartitionLag, SubscribeOptions, Subscription } from '../port';
import type { SqliteLog, TopicPartition } from './sqlite-log';
import { onPublish } from './wakeup';

/** What a subscription needs from its bus: the log, and who in its group owns which partition. */
export interface SubscriptionHost {
  readonly log: SqliteLog;
  readonly channel: string;
  readonly pollIntervalMs: number;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  /**
   * Differs from an earlier value if anything a consumer could care about may have changed since: a commit by
   * another connection, or a publish, reset, join or leave through this bus.
   */
  changeStamp(): string;
  /** the partitions this member owns right now (recomputed as members join and leave) */
  assignment(member: SqliteSubscription): TopicPartition[];
  /** in-process lock: false while another member of the group is handling a batch of this partition */
  claim(groupId: string, tp: TopicPartition): boolean;
  release(groupId: string, tp: TopicPartition): void;
  leave(member: SqliteSubscription): void;
}

const FULL_PASS_EVERY_MS = 1_000;

interface Sleeper {
  resolve: () => void;
  wakeOnPublish: boolean;
}

/**
 * One consumer loop: round-robin over its partitions, one batch per partition per pass, commit after the handler
 * resolves. A failed batch is retried (the same batch, so order holds) until it succeeds or the subscription stops;
 * stopping leaves it uncommitted, so it is redelivered: at-least-once.
 */
export class SqliteSubscription implements Subscription {
  readonly groupId: string;
  readonly topicPartitions: TopicPartition[];
  private readonly maxBatch: number;
  private stopping = false;
  private sleeper: Sleeper | null = null;
  private cursor = 0;
  /** change stamp seen before the last pass that found nothing: while it holds, passes are skipped */
  private idleStamp: string | null = null;
  private idleSince = 0;
  private done: Promise<void> = Promise.resolve();
  /** per partition (`topic:partition`): when its last batch was delivered (lingerMs) */
  private readonly deliveredAt = new Map<string, number>();
  /** the earliest time a lingering partition is due, when the last pass held one back */
  private lingerUntil = 0;

  constructor(
    private readonly host: SubscriptionHost,
    private readonly options: SubscribeOptions,
  ) {
    this.groupId = options.groupId;
    this.topicPartitions = host.log.topicPartitions(options.topics);
    this.maxBatch = Math.max(1, Math.floor(options.maxBatch ?? 100));
  }

  get topics(): string[] {
    return this.options.topics;
  }

  start(): void {
    this.done = this.run();
  }

  async stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      this.sleeper?.resolve();
    }
    await this.done;
    this.host.leave(this);
  }

  async lag(): Promise<PartitionLag[]> {
    return this.topicPartitions.map((tp) => {
      const committed = this.host.log.committed(this.groupId, tp) ?? 0;
      const end = this.host.log.endOffset(tp);
      return { ...tp, committed, end, lag: Math.max(0, end - committed) };
    });
  }

  private async run(): Promise<void> {
    const unsubscribe = onPublish(this.host.channel, () => {
      if (this.sleeper?.wakeOnPublish) this.sleeper.resolve();
    });
    let failures = 0;
    try {
      while (!this.stopping) {
        let progressed: boolean;
        try {
          progressed = await this.pollOnce();
          failures = 0;
        } catch (error) {
          // fetch or commit failed (e.g. the write lock stayed busy): back off, then refetch from the commit
          failures += 1;
          const retryInMs = this.backoff(failures);
          this.report(error, { topic: '', partition: -1, firstOffset: -1, lastOffset: -1, attempt: failures, retryInMs });
          await this.pause(retryInMs, false);
          continue;
        }
        if (progressed) await new Promise<void>((resolve) => setImmediate(resolve));
        else if (this.lingerUntil > 0) await this.pause(Math.max(1, this.lingerUntil - Date.now()), false);
        else await this.pause(this.host.pollIntervalMs, true);
      }
    } finally {
      unsubscribe();
    }
  }

  /**
   * One pass over the owned partitions; true if any batch was handled. An idle subscription skips the pass
   * (two queries per partition) while nothing changed, and still does a full one every second as a safety net.
   */
  private async pollOnce(): Promise<boolean> {
    const stamp = this.host.changeStamp();
    if (stamp === this.idleStamp && Date.now() - this.idleSince < FULL_PASS_EVERY_MS) return false;
    this.idleStamp = null;
    const owned = this.host.assignment(this);
    let progressed = false;
    let skipped = false;
    this.lingerUntil = 0;
    const lingerMs = this.options.lingerMs ?? 0;
    for (let i = 0; i < owned.length && !this.stopping; i++) {
      const tp = owned[(this.cursor + i) % owned.length]!;
      if (!this.host.claim(this.groupId, tp)) {
        skipped = true;
        continue;
      }
      try {
        const from = this.host.log.committed(this.groupId, tp) ?? 0;
        const end = this.host.log.knownEnd(tp);
        if (end <= from) continue; // nothing new here: no fetch
        const key = `${tp.topic}:${tp.partition}`;
        const due = (this.deliveredAt.get(key) ?? 0) + lingerMs;
        if (lingerMs > 0 && Date.now() < due) {
          // hold a partial batch back until the partition's linger is over (more may arrive meanwhile); counted,
          // not fetched: the messages are read and parsed once, when delivered
          if (end - from < this.maxBatch) {
            skipped = true;
            this.lingerUntil = this.lingerUntil === 0 ? due : Math.min(this.lingerUntil, due);
            continue;
          }
        }
        const batch = this.host.log.fetch(tp, from, this.maxBatch);
        if (batch.length === 0) continue;
        this.deliveredAt.set(key, Date.now());
        await this.deliver(tp, batch);
        progressed = true;
      } finally {
        this.host.release(this.groupId, tp);
      }
    }
    this.cursor = owned.length > 0 ? (this.cursor + 1) % owned.length : 0;
    if (!progressed && !skipped) {
      this.idleStamp = stamp;
      this.idleSince = Date.now();
    }
    return progressed;
  }

  private async deliver(tp: TopicPartition, batch: BusMessage[]): Promise<void> {
    const firstOffset = batch[0]!.offset;
    const lastOffset = batch[batch.length - 1]!.offset;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.handle(batch);
      } catch (error) {
        const retryInMs = this.backoff(attempt);
        this.report(error, { ...tp, firstOffset, lastOffset, attempt, retryInMs });
        if (this.stopping) return;
        await this.pause(retryInMs, false);
        if (this.stopping) return;
        continue;
      }
      this.host.log.commit(this.groupId, tp, lastOffset + 1);
      return;
    }
  }

  private backoff(attempt: number): number {
    return Math.min(this.host.retryMaxMs, this.host.retryInitialMs * 2 ** Math.min(attempt - 1, 30));
  }

  private report(error: unknown, context: Omit<DeliveryErrorContext, 'groupId'>): void {
    try {
      this.options.onError?.(error, { groupId: this.groupId, ...context });
    } catch {
      // a broken logger must not kill the consumer loop
    }
  }

  /** Sleeps up to `ms`; stop() always cuts it short, a publish only when idle (not during a retry backoff). */
  private pause(ms: number, wakeOnPublish: boolean): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => sleeper.resolve(), ms);
      const sleeper: Sleeper = {
        wakeOnPublish,
        resolve: () => {
          clearTimeout(timer);
          if (this.sleeper === sleeper) this.sleeper = null;
          resolve();
        },
      };
      this.sleeper = sleeper;
    });
  }
}
