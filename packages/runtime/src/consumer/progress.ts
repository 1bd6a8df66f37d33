import type { Subscription } from '@tally/eventbus';

/**
 * How far a consumer has applied the log, for read-your-writes (`?after=<position>`).
 * Positions are relayed in order, so within a partition they increase. Everything up to P is applied when
 * some applied event has position >= P and every partition has either applied past P or has nothing left.
 */
export class ConsumerProgress {
  private readonly lastApplied = new Map<number, number>();
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

  record(partition: number, position: number): void {
    if (position > (this.lastApplied.get(partition) ?? 0)) this.lastApplied.set(partition, position);
    if (position > this.maxApplied) this.maxApplied = position;
    for (const w of this.waiters) w();
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.lastApplied].map(([p, pos]) => [String(p), pos]));
  }

  async covers(position: number): Promise<boolean> {
    if (!this.subscription) return false;
    if (this.maxApplied >= position) {
      const lags = await this.subscription.lag();
      return lags.every((l) => l.lag === 0 || (this.lastApplied.get(l.partition) ?? 0) >= position);
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
