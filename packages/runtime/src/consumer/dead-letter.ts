import { randomUUID } from 'node:crypto';
import { TOPICS, isRetryable, type StoredEvent } from '@tally/contracts';
import type { BusMessage, EventBus } from '@tally/eventbus';
import { intSetting } from '../env-settings';
import type { Logger } from '../logger';
import { observe } from '../observability/metrics';

/**
 * Poison events. A consumer hands a partition's events to its handler in order, and the bus retries a failing
 * batch forever; one event that can never be applied (a bug, data a newer build understands) would hold back its
 * whole partition. So: when a batch fails, its events are applied one at a time to find the one that fails; that
 * event is retried (the bus redelivers the batch with backoff) until it has failed `maxAttempts` times, then it is
 * published to the dead-letter topic with its error and the partition moves on. Retryable conditions
 * (`isRetryable`: a peer not caught up, a dropped connection) never count. `pnpm tally dead-letters list|replay`
 * reads the topic and sends a dead letter back to the group that failed it (dead-letter-admin.ts).
 */
export const DEAD_LETTER_TOPIC = TOPICS.deadLetters;
/** Header of a replayed event: only the named consumer group applies it; the others already did. */
export const REPLAY_FOR_HEADER = 'tally_replay_for';
/** with the buses' backoff (doubling from 50-100 ms) ten failures span 15-50 s: start-up races (a catalog not loaded yet) ride it out */
export const DEFAULT_MAX_ATTEMPTS = 10;

/** TALLY_CONSUMER_MAX_ATTEMPTS, else 10: how often an event may fail before it is dead-lettered. */
export function maxAttemptsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return intSetting(env, 'TALLY_CONSUMER_MAX_ATTEMPTS', DEFAULT_MAX_ATTEMPTS, 1);
}

/** A dead letter as published on the dead-letter topic (keyed by the event's stream). */
export interface DeadLetter {
  kind: 'dead-letter';
  /** this dead letter's id */
  id: string;
  /** the consumer group that could not apply the event */
  group: string;
  topic: string;
  partition: number;
  offset: number;
  event: StoredEvent;
  error: { name: string; message: string; code?: string };
  attempts: number;
  /** when it was dead-lettered */
  at: string;
}

/** Recorded on the dead-letter topic when a dead letter was sent back to its group. */
export interface DeadLetterReplayed {
  kind: 'replayed';
  /** the dead letter's id */
  id: string;
  at: string;
}

export interface PoisonGuardOptions {
  groupId: string;
  bus: EventBus;
  logger: Logger;
  maxAttempts?: number;
}

/** One parsed event with the message it came in. */
export interface Delivered {
  event: StoredEvent;
  message: BusMessage;
}

/** Applies a partition's batch with dead-lettering of poison events (one per consumer). */
export class PoisonGuard {
  readonly maxAttempts: number;
  private readonly failures = new Map<string, number>();
  private count = 0;

  constructor(private readonly options: PoisonGuardOptions) {
    this.maxAttempts = options.maxAttempts ?? maxAttemptsFromEnv();
  }

  /** How many events this consumer dead-lettered since it started. */
  deadLettered(): number {
    return this.count;
  }

  /**
   * Applies the batch; on a failure, one event at a time. Rethrows (so the bus retries the batch) until the
   * failing event has used its attempts, then dead-letters it and carries on with the rest.
   */
  async apply(batch: Delivered[], handle: (events: StoredEvent[]) => Promise<void>): Promise<void> {
    if (batch.length === 0) return;
    // a batch known to hold a failing event goes one event at a time straight away
    const suspect = this.failures.size > 0 && batch.some((d) => this.failures.has(d.event.id));
    if (!suspect) {
      try {
        await handle(batch.map((d) => d.event));
        this.forget(batch);
        return;
      } catch (err) {
        if (batch.length === 1) return this.failed(batch[0]!, err);
        if (isRetryable(err)) throw err;
      }
    }
    // the batch failed: find the event that fails (those before it are applied again, which changes nothing)
    for (const d of batch) {
      try {
        await handle([d.event]);
        this.forget([d]);
      } catch (err) {
        await this.failed(d, err);
      }
    }
  }

  private async failed(d: Delivered, err: unknown): Promise<void> {
    if (isRetryable(err)) throw err;
    const attempts = (this.failures.get(d.event.id) ?? 0) + 1;
    this.failures.set(d.event.id, attempts);
    if (attempts < this.maxAttempts) throw err;
    await this.deadLetter(d, err, attempts);
  }

  private async deadLetter(d: Delivered, err: unknown, attempts: number): Promise<void> {
    const letter: DeadLetter = {
      kind: 'dead-letter',
      id: randomUUID(),
      group: this.options.groupId,
      topic: d.message.topic,
      partition: d.message.partition,
      offset: d.message.offset,
      event: d.event,
      error: describe(err),
      attempts,
      at: new Date().toISOString(),
    };
    await this.options.bus.publish(DEAD_LETTER_TOPIC, [{ key: d.event.subject, value: letter }]);
    this.failures.delete(d.event.id);
    this.count++;
    observe.deadLetter(this.options.groupId);
    this.options.logger.error(
      { group: letter.group, topic: letter.topic, partition: letter.partition, offset: letter.offset, eventId: d.event.id, type: d.event.type, attempts, err: letter.error.message },
      'event dead-lettered; the partition moves on',
    );
  }

  private forget(batch: Delivered[]): void {
    if (this.failures.size === 0) return;
    for (const d of batch) this.failures.delete(d.event.id);
  }
}

function describe(err: unknown): DeadLetter['error'] {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const code = (err as { code?: unknown }).code;
  return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) };
}
