/**
 * Token buckets per key (an account, or an IP for anonymous callers): `burst` requests at once, refilled at
 * `perSec`. In memory, per process: a distributed deployment multiplies the budget by its instance count.
 */
export interface BucketSettings {
  burst: number;
  perSec: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly settings: BucketSettings,
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token: 0 when allowed, else the seconds to wait before the next one. */
  take(key: string): number {
    const t = this.now();
    const { burst, perSec } = this.settings;
    const b = this.buckets.get(key) ?? { tokens: burst, at: t };
    b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * perSec);
    b.at = t;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      this.remember(key, b);
      return 0;
    }
    this.remember(key, b);
    return Math.max(1, Math.ceil((1 - b.tokens) / perSec));
  }

  private remember(key: string, b: { tokens: number; at: number }): void {
    if (!this.buckets.has(key) && this.buckets.size >= this.maxKeys) {
      // forget the oldest entries (insertion order): a full bucket is what a forgotten key gets back
      const drop = Math.ceil(this.maxKeys / 10);
      for (const k of this.buckets.keys()) {
        this.buckets.delete(k);
        if (this.buckets.size <= this.maxKeys - drop) break;
      }
    }
    this.buckets.set(key, b);
  }
}

/**
 * Failed sign-ins per key within a sliding window: after `max` failures the key is blocked until the oldest
 * failure leaves the window. Keys are username+IP (guessing one account from one place) and username
 * (guessing one account from many places, with a higher limit).
 */
export class FailureWindow {
  private readonly failures = new Map<string, number[]>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  /** 0 when the key may try, else the seconds until it may. */
  blockedFor(key: string): number {
    const recent = this.recent(key);
    if (recent.length < this.max) return 0;
    return Math.max(1, Math.ceil((recent[0]! + this.windowMs - this.now()) / 1000));
  }

  record(key: string): void {
    const recent = this.recent(key);
    recent.push(this.now());
    if (!this.failures.has(key) && this.failures.size >= this.maxKeys) {
      const first = this.failures.keys().next();
      if (!first.done) this.failures.delete(first.value);
    }
    this.failures.set(key, recent.slice(-this.max));
  }

  clear(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    return (this.failures.get(key) ?? []).filter((t) => t > since);
  }
}
