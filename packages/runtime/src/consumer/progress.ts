import type { Subscription } from '@tally/eventbus';

/**
 * How far a consumer has applied the log, for read-your-writes (`?after=<position>`).
 * Positions are relayed in order, so within a topic partition they increase. Everything up to P is applied when
 * some applied event has position >= P and every topic partition has either applied past P or has nothing left.
 * Progress is kept per topic AND partition: a consumer of several topics has a partition 0 in each, and one
 * topic's partition having applied past P says nothing about the other topic's partition of the same number.
 */
export class ConsumerProgress {
  private readonly lastApplied = new Map<string, number>();
  private maxApplied = 0;
  private subscription: Subscription | null = null;
  private readonly waiters = new Set<() => void>();

  /**
   * @param publishedHorizon how far the relay has published (every event with position <= it is on the bus);
   *   lets a position that is not on this consumer's topics count as applied once the consumer has no lag.
   */
  constructor(private readonly publishedHorizon?: () => Promise<number>) {}

  attach(subscription: Subscription): void {
    this.subscription = subscription;
  }

  record(topic: string, partition: number, position: number): void {
    const key = topicPartitionKey(topic, partition);
    if (position > (this.lastApplied.get(key) ?? 0)) this.lastApplied.set(key, position);
    if (position > this.maxApplied) this.maxApplied = position;
    for (const w of this.waiters) w();
  }

  /** last applied position per `<topic>:<partition>` */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.lastApplied);
  }

  async covers(position: number): Promise<boolean> {
    if (!this.subscription) return false;
    if (this.maxApplied >= position) {
      const lags = await this.subscription.lag();
      return lags.every((l) => l.lag === 0 || (this.lastApplied.get(topicPartitionKey(l.topic, l.partition)) ?? 0) >= position);
    }
    if (!this.publishedHorizon || (await this.publishedHorizon()) < position) return false;
    const lags = await this.subscription.lag();
    return lags.every((l) => l.lag === 0);
  }

  /** Resolves true once `covers(position)`, false after `timeoutMs`. */
  async waitFor(position: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await this.covers(position)) return true;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(50, Math.max(1, deadline - Date.now())));
        const waiters = this.waiters;
        function done() {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        waiters.add(done);
      });
    }
    return this.covers(position);
  }
}

export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

/** The id of a consumer group's progress document for one topic partition (one writer each: the partition's consumer). */
export function progressDocId(groupId: string, topic: string, partition: number): string {
  return `progress:${groupId}:${topic}:p${partition}`;
}

/**
 * A saved progress document as `{topic, partition, position}`, or null when it is not one. Documents written before
 * progress was keyed by topic (`progress:<group>:p<N>`, no `topic` field) are read as the consumer's topic when it
 * reads exactly one (then they were that topic's); a consumer of several topics cannot tell whose they were and
 * ignores them: the saved progress only lets `after=` answer sooner after a restart, and the first event applied
 * on that partition (or the consumer having no lag) covers the same positions again.
 */
export function savedProgress(doc: Record<string, unknown>, groupId: string, topics: readonly string[]): { topic: string; partition: number; position: number } | null {
  if (doc.group !== groupId || typeof doc.partition !== 'number' || typeof doc.position !== 'number') return null;
  const topic = typeof doc.topic === 'string' ? doc.topic : topics.length === 1 ? topics[0]! : null;
  if (topic === null || !topics.includes(topic)) return null;
  return { topic, partition: doc.partition, position: doc.position };
}
