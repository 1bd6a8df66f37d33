import { envelopeHeaders, topicForStream, type StoredEvent } from '@tally/contracts';
import type { EventBus, OutgoingMessage } from '@tally/eventbus';
import type { EventStore } from './port';
import type { RelayLease } from './relay-lease';

/**
 * Publishes appended events to the bus, in position order, keyed by stream.
 * The events are their own outbox: the store keeps the relay's checkpoint. At-least-once: a crash between
 * publish and checkpoint republishes a batch, which consumers tolerate (they are idempotent).
 */
export interface RelayOptions {
  store: EventStore;
  bus: EventBus;
  batchSize?: number;
  idlePollMs?: number;
  onError?: (err: unknown) => void;
  /** when given, the relay publishes only while it holds this lease (several processes may run a relay) */
  lease?: RelayLease;
}

export interface Relay {
  /** Publishes everything appended so far; resolves when the checkpoint covers it. */
  drain(): Promise<number>;
  /** Wakes the loop at once (call after an append in the same process). */
  nudge(): void;
  stop(): Promise<void>;
  publishedPosition(): number;
  /** true while this relay may publish (always, without a lease) */
  holdsLease(): boolean;
}

export function startRelay(options: RelayOptions): Relay {
  const { store, bus } = options;
  const batchSize = options.batchSize ?? 500;
  const idlePollMs = options.idlePollMs ?? 50;
  let stopped = false;
  let published = 0;
  let wake: (() => void) | null = null;
  let running: Promise<number> | null = null;

  // the checkpoint as this relay last read or wrote it, and the lease tenure it belongs to: while the tenure lasts no
  // other relay publishes, so the stored checkpoint is this one's (on MongoDB/FerretDB a read of it is a command per
  // pass, 20 a second when idle); a new tenure, or a pass that failed, reads it again
  let checkpoint: { position: number; tenure: number } | null = null;

  async function publishOnce(): Promise<number> {
    if (options.lease && !(await options.lease.hold())) return 0;
    const tenure = options.lease?.tenure() ?? 0;
    const from = checkpoint?.tenure === tenure ? checkpoint.position : await store.publishedPosition();
    checkpoint = null; // until this pass ends well
    published = Math.max(published, from);
    const events = await store.readAll(from, batchSize);
    if (events.length === 0) {
      checkpoint = { position: from, tenure };
      return 0;
    }
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const e of events) {
      const topic = topicForStream(e.subject);
      const list = byTopic.get(topic) ?? [];
      list.push(toMessage(e));
      byTopic.set(topic, list);
    }
    for (const [topic, messages] of byTopic) await bus.publish(topic, messages);
    const last = events[events.length - 1]!.position;
    await store.markPublished(last);
    published = last;
    checkpoint = { position: last, tenure };
    return events.length;
  }

  /** One pass at a time: concurrent callers share the running pass. */
  function pass(): Promise<number> {
    if (!running) running = publishOnce().finally(() => (running = null));
    return running;
  }

  const loop = (async () => {
    while (!stopped) {
      let n = 0;
      try {
        n = await pass();
      } catch (err) {
        options.onError?.(err);
      }
      if (n < batchSize && !stopped) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, idlePollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
    }
  })();

  return {
    async drain() {
      // covered when the checkpoint reaches the head as of now, whichever relay (the lease holder) publishes it
      const head = await store.headPosition();
      let total = 0;
      for (;;) {
        const n = await pass();
        total += n;
        if (n === 0 && (await store.publishedPosition()) >= head) return total;
        if (n === 0) await new Promise((resolve) => setTimeout(resolve, idlePollMs));
      }
    },
    nudge() {
      wake?.();
    },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      if (running) await running.catch(() => undefined);
      await options.lease?.release().catch((err: unknown) => options.onError?.(err));
    },
    publishedPosition: () => published,
    holdsLease: () => options.lease?.isHeld() ?? true,
  };
}

function toMessage(e: StoredEvent): OutgoingMessage {
  return { key: e.subject, value: e, headers: envelopeHeaders(e) };
}
