import type { Admin, Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { BusMessage, DeliveryErrorContext, PartitionLag, SubscribeOptions, Subscription } from '../port';

/** Settings a subscription takes from its bus. */
export interface KafkaSubscriptionSettings {
  retryInitialMs: number;
  retryMaxMs: number;
  heartbeatIntervalMs: number;
  /** how long subscribe() waits for the consumer to join its group */
  joinTimeoutMs: number;
  /** upper bound for waiting for the first fetch after joining (from='latest' only) */
  firstFetchTimeoutMs: number;
}

/** Group-membership errors: the batch must be abandoned (uncommitted) so kafkajs can rejoin the group. */
const GROUP_ERRORS = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID']);
const isGroupError = (e: unknown): boolean => GROUP_ERRORS.has(String((e as { type?: unknown } | null)?.type ?? ''));

/** How many times a commit is retried while stopping (the batch is redelivered if it never succeeds). */
const COMMIT_TRIES_WHILE_STOPPING = 3;

/** A relaunch waits at least this long: a broker that refused a moment ago is rarely back within less. */
const MIN_RELAUNCH_DELAY_MS = 500;

/**
 * One consumer-group member on Kafka. Messages arrive in kafkajs `eachBatch` calls (one partition each, in offset
 * order); the batch is cut into chunks of `maxBatch`, each handed to `handle` and committed (offset + 1) as soon as
 * it resolves. A throwing handler is retried in place with capped exponential backoff (kafkajs is not allowed to
 * move on, so nothing is skipped and order holds), heartbeating all the while so the member keeps its partitions.
 * A rebalance abandons the uncommitted rest: the next owner re-reads it from the committed offset (at-least-once).
 * A crash kafkajs does not restart on its own relaunches a fresh consumer (see launch).
 */
export class KafkaSubscription implements Subscription {
  readonly groupId: string;
  private readonly maxBatch: number;
  private stopping = false;
  private stopped: Promise<void> | null = null;
  private readonly wakers = new Set<() => void>();
  /** the current kafkajs consumer (a new one after each relaunch) */
  private consumer: Consumer | null = null;
  private relaunchTimer: NodeJS.Timeout | null = null;
  private relaunching: Promise<void> = Promise.resolve();

  constructor(
    private readonly createConsumer: () => Consumer,
    private readonly admin: Admin,
    private readonly options: SubscribeOptions,
    private readonly settings: KafkaSubscriptionSettings,
    private readonly onStopped: (s: KafkaSubscription) => void,
  ) {
    this.groupId = options.groupId;
    this.maxBatch = Math.max(1, Math.floor(options.maxBatch ?? 100));
  }

  /** Subscribes, runs, and resolves once the member has joined its group (and, for 'latest', fixed its start). */
  async start(): Promise<void> {
    try {
      await this.launch();
    } catch (error) {
      this.stopping = true;
      throw error;
    }
  }

  stop(): Promise<void> {
    if (!this.stopped) {
      this.stopping = true;
      if (this.relaunchTimer) clearTimeout(this.relaunchTimer);
      for (const wake of this.wakers) wake();
      // kafkajs waits for the in-flight eachBatch (which finishes its handler call and commits), then leaves the group
      this.stopped = this.relaunching
        .then(() => this.consumer?.disconnect())
        .catch(() => undefined)
        .finally(() => this.onStopped(this));
    }
    return this.stopped;
  }

  /**
   * Creates a consumer, joins the group and starts it. kafkajs restarts a consumer after retriable crashes only; a
   * broker restart can end in a non-retriable one ("Failed to find group coordinator" while the broker is down),
   * after which kafkajs leaves the consumer stopped for good. Such a crash relaunches a fresh consumer (with backoff,
   * until it joins), which resumes from the committed offsets.
   */
  private async launch(): Promise<void> {
    const consumer = this.createConsumer();
    this.consumer = consumer;
    const fromBeginning = (this.options.from ?? 'earliest') === 'earliest';
    let launched = false;
    consumer.on(consumer.events.CRASH, (event) => {
      this.report(event.payload.error, { topic: '', partition: -1, firstOffset: -1, lastOffset: -1, attempt: 1, retryInMs: 0 });
      if (launched && !event.payload.restart && consumer === this.consumer) this.scheduleRelaunch(1);
    });
    const cleanups: Array<() => void> = [];
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`consumer group ${this.groupId}: not joined within ${this.settings.joinTimeoutMs} ms`)),
        this.settings.joinTimeoutMs,
      );
      cleanups.push(() => clearTimeout(timer));
      const abort = () => reject(new Error(`consumer group ${this.groupId}: stopped while joining`));
      this.wakers.add(abort);
      cleanups.push(() => this.wakers.delete(abort));
      cleanups.push(
        consumer.on(consumer.events.CRASH, (event) => {
          if (!event.payload.restart) reject(event.payload.error);
        }),
      );
      cleanups.push(
        consumer.on(consumer.events.GROUP_JOIN, () => {
          if (fromBeginning) return resolve();
          // 'latest' is turned into an offset by the first fetch after joining: wait for it, so that a message
          // published after subscribe() resolved is always seen.
          const fetched = setTimeout(resolve, this.settings.firstFetchTimeoutMs);
          cleanups.push(() => clearTimeout(fetched));
          cleanups.push(consumer.on(consumer.events.FETCH, () => resolve()));
        }),
      );
    });
    try {
      if (this.stopping) throw new Error(`consumer group ${this.groupId}: stopped`);
      await consumer.connect();
      await consumer.subscribe({ topics: this.options.topics, fromBeginning });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: (payload) => this.eachBatch(payload),
      });
      await ready;
      launched = true;
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    } finally {
      for (const cleanup of cleanups) cleanup();
    }
  }

  /** Relaunches the consumer after `attempt`'s backoff, and again (backing off further) until one joins. */
  private scheduleRelaunch(attempt: number): void {
    if (this.stopping || this.relaunchTimer) return;
    const retryInMs = Math.max(this.backoff(attempt), MIN_RELAUNCH_DELAY_MS);
    this.relaunchTimer = setTimeout(() => {
      this.relaunchTimer = null;
      if (this.stopping) return;
      this.relaunching = this.launch().catch((error: unknown) => {
        if (this.stopping) return;
        this.report(error, { topic: '', partition: -1, firstOffset: -1, lastOffset: -1, attempt: attempt + 1, retryInMs });
        this.scheduleRelaunch(attempt + 1);
      });
    }, retryInMs);
  }

  async lag(): Promise<PartitionLag[]> {
    const committedByTopic = new Map<string, Map<number, number>>();
    for (const t of await this.admin.fetchOffsets({ groupId: this.groupId, topics: this.options.topics })) {
      committedByTopic.set(t.topic, new Map(t.partitions.map((p) => [p.partition, Number(p.offset)])));
    }
    const out: PartitionLag[] = [];
    for (const topic of this.options.topics) {
      const ends = await this.admin.fetchTopicOffsets(topic);
      for (const p of ends.sort((a, b) => a.partition - b.partition)) {
        const end = Number(p.high);
        const raw = committedByTopic.get(topic)?.get(p.partition) ?? -1;
        // no commit yet: the group starts at the log start (retention may have moved it past 0)
        const committed = raw < 0 ? Number(p.low) : raw;
        out.push({ topic, partition: p.partition, committed, end, lag: Math.max(0, end - committed) });
      }
    }
    return out;
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const messages = batch.messages.map((m) => decode(batch.topic, batch.partition, m));
    for (let i = 0; i < messages.length; i += this.maxBatch) {
      if (this.stopping || payload.isStale()) return;
      const chunk = messages.slice(i, i + this.maxBatch);
      if (!(await this.deliver(chunk, payload))) return;
      const last = chunk[chunk.length - 1]!.offset;
      await this.commit(batch.topic, batch.partition, last + 1, payload);
      payload.resolveOffset(String(last));
    }
  }

  /** Hands the chunk to the handler until it succeeds (true) or the subscription stops (false: left uncommitted). */
  private async deliver(chunk: BusMessage[], payload: EachBatchPayload): Promise<boolean> {
    const first = chunk[0]!;
    const lastOffset = chunk[chunk.length - 1]!.offset;
    for (let attempt = 1; ; attempt++) {
      let failure: { error: unknown } | null = null;
      const groupError = await this.whileHeartbeating(payload, async () => {
        try {
          await this.options.handle(chunk);
        } catch (error) {
          failure = { error };
        }
      });
      if (!failure) {
        // the handler's work is done: commit it even if a rebalance started meanwhile (the current generation may
        // still commit); only after that hand the group error to kafkajs
        if (groupError) {
          await this.commit(first.topic, first.partition, lastOffset + 1, payload).catch(() => undefined);
          throw groupError;
        }
        return true;
      }
      const retryInMs = this.backoff(attempt);
      this.report((failure as { error: unknown }).error, {
        topic: first.topic,
        partition: first.partition,
        firstOffset: first.offset,
        lastOffset,
        attempt,
        retryInMs,
      });
      if (groupError) throw groupError;
      if (this.stopping) return false;
      await this.pause(retryInMs, payload);
      if (this.stopping) return false;
    }
  }

  /** Commits `next` for the partition; retries transient failures, throws group errors (batch redelivered). */
  private async commit(topic: string, partition: number, next: number, payload: EachBatchPayload): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await payload.commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: String(next) }] }] });
        return;
      } catch (error) {
        if (isGroupError(error)) throw error;
        const retryInMs = this.backoff(attempt);
        this.report(error, { topic, partition, firstOffset: -1, lastOffset: -1, attempt, retryInMs });
        if (this.stopping && attempt >= COMMIT_TRIES_WHILE_STOPPING) throw error;
        await this.pause(retryInMs, payload, true);
      }
    }
  }

  /** Runs fn while heartbeating every heartbeat interval; returns the group error a heartbeat reported, if any. */
  private async whileHeartbeating(payload: EachBatchPayload, fn: () => Promise<void>): Promise<unknown> {
    let groupError: unknown = null;
    const beat = () => {
      payload.heartbeat().catch((e: unknown) => {
        if (isGroupError(e)) groupError ??= e;
      });
    };
    const timer = setInterval(beat, this.settings.heartbeatIntervalMs);
    try {
      await fn();
    } finally {
      clearInterval(timer);
    }
    return groupError;
  }

  /** Sleeps (heartbeating) up to ms; stop() cuts it short unless `evenWhenStopping`. Throws a group error. */
  private async pause(ms: number, payload: EachBatchPayload, evenWhenStopping = false): Promise<void> {
    if (this.stopping && !evenWhenStopping) return;
    const groupError = await this.whileHeartbeating(
      payload,
      () =>
        new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            this.wakers.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, ms);
          if (!evenWhenStopping) this.wakers.add(wake);
        }),
    );
    if (groupError) throw groupError;
  }

  private backoff(attempt: number): number {
    return Math.min(this.settings.retryMaxMs, this.settings.retryInitialMs * 2 ** Math.min(attempt - 1, 30));
  }

  private report(error: unknown, context: Omit<DeliveryErrorContext, 'groupId'>): void {
    try {
      this.options.onError?.(error, { groupId: this.groupId, ...context });
    } catch {
      // a broken logger must not kill the consumer
    }
  }
}

function decode(topic: string, partition: number, m: KafkaMessage): BusMessage {
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(m.headers ?? {})) {
    if (raw === undefined) continue;
    const v = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (v !== undefined) headers[name] = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  }
  return { topic, partition, offset: Number(m.offset), key: m.key ? m.key.toString('utf8') : '', value: parseValue(m.value), headers };
}

function parseValue(value: Buffer | null): unknown {
  if (value === null) return null;
  const text = value.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // published by something other than this adapter: hand over the raw text
    return text;
  }
}
