import type { StoredEvent } from '@tally/contracts';
import type { BusMessage, EventBus, PartitionLag, Subscription } from '@tally/eventbus';
import type { Collection, Doc } from '@tally/readstore';
import type { Logger } from '../logger';
import { PoisonGuard, REPLAY_FOR_HEADER, type Delivered } from './dead-letter';
import { MalformedEventError, parseStoredEvent } from './parse-event';
import { ConsumerProgress, progressDocId, savedProgress } from './progress';
import { observe } from '../observability/metrics';
import { inConsumerSpan } from '../observability/tracing';

/**
 * The `lingerMs` of the consumers that follow every report event (report views, validations, targets, inboxes,
 * open data): under load each partition gets at most one partial batch per 200 ms, so a deadline-day burst is
 * applied in fewer, larger batches (each batch costs a fetch, a commit and a progress write); a partition idle
 * for longer is delivered at once (docs/performance.md, twelfth round: 25.0-25.6 against 25.4-30.2 CPU-ms per
 * 1,000 values at 1,000 x 100). Not for consumers whose delay another write could observe (cache invalidation,
 * catalog registries): a reader that needs its own write asks with `after=` or is written by the route.
 */
export const REPORT_CONSUMER_LINGER_MS = 200;

/**
 * The consumer loop every service uses: parse and validate each message at the boundary, hand the
 * events of one partition to the handler in order, record how far it got. Offsets are committed by the
 * bus after the handler resolves, so a crash redelivers and handlers must be idempotent.
 */
export interface EventConsumerOptions {
  bus: EventBus;
  groupId: string;
  topics: string[];
  logger: Logger;
  handle: (events: StoredEvent[], partition: number) => Promise<void>;
  /**
   * optional: the whole batch of parsed events at once (a handler that writes once per batch). When it fails, the
   * poison guard hands the batch to `handle` one event at a time (`[event]`), so a failing event can be told from
   * the others (and dead-lettered after its attempts).
   */
  handleBatch?: (events: StoredEvent[], partition: number) => Promise<void>;
  /** where progress is persisted for `after=` reads across restarts (optional) */
  progressStore?: Collection<Doc>;
  maxBatch?: number;
  /** see SubscribeOptions.lingerMs: larger batches under load for a handler that writes once per batch */
  lingerMs?: number;
  /** how far the relay has published; see ConsumerProgress */
  publishedHorizon?: () => Promise<number>;
  /** failures of one event before it is dead-lettered; default TALLY_CONSUMER_MAX_ATTEMPTS or 10 (dead-letter.ts) */
  maxAttempts?: number;
}

export interface EventConsumer {
  readonly groupId: string;
  readonly topics: string[];
  readonly progress: ConsumerProgress;
  lag(): Promise<PartitionLag[]>;
  stop(): Promise<void>;
  /** Resolves once every message published so far is applied (for tests and rebuilds). */
  waitUntilCaughtUp(timeoutMs?: number): Promise<boolean>;
  /** Counts messages refused at the boundary (malformed). */
  readonly rejected: () => number;
  /** Counts events sent to the dead-letter topic since start (poison events). */
  readonly deadLettered: () => number;
}

export async function startEventConsumer(options: EventConsumerOptions): Promise<EventConsumer> {
  const { bus, groupId, logger } = options;
  const progress = new ConsumerProgress(options.publishedHorizon);
  let rejected = 0;
  const poison = new PoisonGuard({ groupId, bus, logger, ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}) });
  // one document per topic partition: each has one writer (the partition's consumer, whichever replica it is in)
  if (options.progressStore) {
    for (const doc of await options.progressStore.find({ group: groupId })) {
      const saved = savedProgress(doc, groupId, options.topics);
      if (saved) progress.record(saved.topic, saved.partition, saved.position);
    }
  }

  async function handleBatch(batch: BusMessage[]): Promise<void> {
    const delivered: Delivered[] = [];
    for (const m of batch) {
      // a dead letter sent back to another group: that group applies it, this one already did
      const replayFor = m.headers[REPLAY_FOR_HEADER];
      if (replayFor !== undefined && replayFor !== groupId) continue;
      try {
        delivered.push({ event: parseStoredEvent(m.value), message: m });
      } catch (err) {
        if (!(err instanceof MalformedEventError)) throw err;
        rejected++;
        logger.error({ groupId, topic: m.topic, partition: m.partition, offset: m.offset, err: err.message }, 'malformed event skipped');
      }
    }
    // a bus batch holds one topic partition's messages
    const topic = batch[0]?.topic ?? '';
    const partition = batch[0]?.partition ?? 0;
    // the whole batch to the batch handler where there is one; the poison guard goes one event at a time
    // (`handle([event])`) to find an event that fails, and dead-letters it after its attempts
    const apply = (events: StoredEvent[]): Promise<void> =>
      events.length > 1 && options.handleBatch ? options.handleBatch(events, partition) : options.handle(events, partition);
    if (delivered.length > 0) {
      await inConsumerSpan(groupId, partition, delivered.map((d) => d.event.traceparent), () => poison.apply(delivered, apply));
      observe.batch(groupId, delivered.length);
    }
    const last = delivered[delivered.length - 1]?.event;
    if (last) {
      progress.record(topic, partition, last.position);
      if (options.progressStore) {
        await options.progressStore.update(
          progressDocId(groupId, topic, partition),
          { set: { group: groupId, topic, partition, position: last.position } },
          { field: 'position', below: last.position },
        );
      }
    }
  }

  const subscription: Subscription = await bus.subscribe({
    groupId,
    topics: options.topics,
    from: 'earliest',
    maxBatch: options.maxBatch ?? 200,
    ...(options.lingerMs ? { lingerMs: options.lingerMs } : {}),
    handle: handleBatch,
    onError: (err: unknown) => logger.error({ groupId, err }, 'consumer handler failed; retrying'),
  });
  progress.attach(subscription);
  const untrack = observe.consumer({ groupId, lag: () => subscription.lag() });

  return {
    groupId,
    topics: options.topics,
    progress,
    lag: () => subscription.lag(),
    stop: () => {
      untrack();
      return subscription.stop();
    },
    rejected: () => rejected,
    deadLettered: () => poison.deadLettered(),
    async waitUntilCaughtUp(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const lags = await subscription.lag();
        if (lags.every((l) => l.lag === 0)) return true;
        await new Promise((r) => setTimeout(r, 20));
      }
      return false;
    },
  };
}
