import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * The relay's lease. Any process that appends may run a relay (the log is one, whoever appended to it); the lease
 * makes exactly one of them publish at a time. It is a record in the event store (a SQLite row, a MongoDB
 * document) naming its holder and an expiry: the holder renews it well before it lapses; the others try to take
 * it on each pass and get it once it has lapsed (the holder died) or was released (the holder stopped).
 * A holder that stalls longer than the lease (a long GC pause) may publish alongside the next one for a moment:
 * at-least-once delivery and idempotent consumers make that harmless, and the checkpoint never moves back.
 */
export interface LeaseStore {
  /** Takes the lease `name` for `holder` (when free, lapsed or already held by it) until now + `ttlMs`; true when held. */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up at once (when `holder` holds it). */
  releaseLease(name: string, holder: string): Promise<void>;
}

export const RELAY_LEASE = 'relay';
export const DEFAULT_LEASE_TTL_MS = 10_000;

export interface RelayLeaseOptions {
  /** how long the lease lasts without renewal; default 10 s (a dead holder's successor waits at most this long) */
  ttlMs?: number;
  /** this relay's id; default host, pid and a random suffix */
  holder?: string;
  now?: () => number;
}

/** One relay's view of the lease: renews it while held, tries to take it otherwise, both at most every ttl/3. */
export class RelayLease {
  readonly holder: string;
  readonly ttlMs: number;
  private held = false;
  private checkedAt = Number.NEGATIVE_INFINITY;
  /** when the lease was last taken or renewed by this relay */
  private heldAt = Number.NEGATIVE_INFINITY;
  private tenures = 0;
  private readonly now: () => number;

  constructor(
    private readonly store: LeaseStore,
    options: RelayLeaseOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
    this.holder = options.holder ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.now = options.now ?? Date.now;
  }

  /** True when this relay holds the lease now (renewing or trying to take it when a third of the ttl has passed). */
  async hold(): Promise<boolean> {
    const now = this.now();
    if (now - this.checkedAt < this.ttlMs / 3) return this.held;
    try {
      const wasHeld = this.held;
      this.held = await this.store.acquireLease(RELAY_LEASE, this.holder, this.ttlMs);
      if (this.held) {
        // taken anew, or renewed after it lapsed (another relay may have held it in between): a new tenure
        if (!wasHeld || now - this.heldAt >= this.ttlMs) this.tenures += 1;
        this.heldAt = now;
      }
    } catch (err) {
      this.held = false;
      throw err;
    } finally {
      this.checkedAt = now;
    }
    return this.held;
  }

  /**
   * Counts this relay's unbroken holds of the lease: it changes whenever the lease was taken anew or renewed after a
   * lapse, i.e. whenever another relay may have published since this one last did.
   */
  tenure(): number {
    return this.tenures;
  }

  /** What the last check said (no I/O): for health. */
  isHeld(): boolean {
    return this.held;
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    await this.store.releaseLease(RELAY_LEASE, this.holder);
  }
}

/** On one machine (the embedded SQLite files) renewals are cheap and a restarted process should not wait long. */
export const EMBEDDED_LEASE_TTL_MS = 2_000;
