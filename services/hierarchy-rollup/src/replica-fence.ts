import type { Collection } from '@tally/readstore';
import { SharedExclusiveLock } from './shared-exclusive-lock';

/**
 * Keeps every hierarchy-rollup replica's report batches out while one replica moves rolled-up data for a hierarchy
 * change (docs/rollups.md, "Hierarchy changes across replicas", has the protocol and why it is correct).
 *
 * Through the read store only, one document per replica that only that replica writes (`put` of the whole
 * document: no compare-and-set needed, which FerretDB does not give atomically), read together with a filter-less
 * `find` of this tiny collection:
 * - `expiresAt`: the replica's registration, renewed every ttl/3; a replica runs report batches only while its own
 *   registration, written before the read that let it in, is valid (its licence ends ttl/3 before `expiresAt`).
 * - `moving`: non-zero while the replica wants to move or moves (its move epoch).
 * - `acks`: the move epochs of the other replicas this replica honours: it wrote each only after closing its own
 *   gate to new report batches and waiting for those in flight, and keeps the gate closed until a read shows the
 *   flag gone.
 * A mover raises its flag, proceeds only once a read after that shows no other live flag (a lower id wins a tie,
 * the other withdraws), waits until every other live replica acknowledged its epoch, moves, and lowers the flag.
 */
export type ReplicaDoc = { _id: string; expiresAt: number; moving: number; acks: Record<string, number> };

/** not prefixed `rollup_`: a rebuild drops the rollup read models, never the registrations of running replicas */
export const REPLICA_FENCE_COLLECTION = 'hierarchy_replicas';
export const DEFAULT_REPLICA_TTL_MS = 10_000;
export const DEFAULT_FENCE_POLL_MS = 200;

export interface ReplicaFenceOptions {
  replicas: Collection<ReplicaDoc>;
  /** unique per process (a restarted process is a new replica) */
  replicaId: string;
  /** how long a registration lasts without renewal: a dead replica holds a move up at most this + ttl/3 */
  ttlMs?: number;
  /** how often a replica looks for other replicas' move flags (and a mover for acknowledgements) */
  pollMs?: number;
  now?: () => number;
  onError?: (err: unknown) => void;
}

export class ReplicaFence {
  readonly replicaId: string;
  /** report batches take it shared (closed by the fence too), the mover exclusively */
  readonly lock: SharedExclusiveLock;
  private readonly ttlMs: number;
  private readonly pollMs: number;
  private readonly now: () => number;
  private readonly state: { moving: number; acks: Record<string, number> } = { moving: 0, acks: {} };
  /** other replicas' move flags seen in the last read: while any, no report batch starts here */
  private blockedBy = new Map<string, number>();
  private licensedUntil = Number.NEGATIVE_INFINITY;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private epoch = 0;
  private writes: Promise<unknown> = Promise.resolve();
  private loop: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private moves = 0;
  private closings = 0;

  constructor(private readonly options: ReplicaFenceOptions) {
    this.replicaId = options.replicaId;
    this.ttlMs = options.ttlMs ?? DEFAULT_REPLICA_TTL_MS;
    this.pollMs = options.pollMs ?? DEFAULT_FENCE_POLL_MS;
    this.now = options.now ?? Date.now;
    this.lock = new SharedExclusiveLock(() => this.admits());
  }

  /** registers this replica and starts looking for other replicas' moves; report batches wait until it resolves */
  async start(): Promise<void> {
    this.stopped = false;
    await this.tick();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.loop;
    await this.writes.catch(() => undefined);
    this.lock.recheck();
    // a graceful stop: the others need not wait for this replica's registration to lapse
    await this.options.replicas.delete(this.replicaId).catch((err: unknown) => this.options.onError?.(err));
  }

  /** may a report batch start now? */
  admits(): boolean {
    return !this.stopped && this.blockedBy.size === 0 && this.now() < this.licensedUntil;
  }

  /**
   * Counts the times this replica's gate closed for another replica's move or a lapsed registration. A report
   * batch that sees it changed reads the map again first: another replica may have changed and moved it meanwhile,
   * and a report must not roll up on the old map after the move.
   */
  gateClosings(): number {
    return this.closings;
  }

  /** how many moves this replica ran (for tests) */
  movesRun(): number {
    return this.moves;
  }

  /** runs `fn` (a move) with no report batch running in any live replica, and no other replica moving */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.lock.exclusive(async () => {
      const epoch = ++this.epoch;
      await this.raiseFlag(epoch);
      try {
        await this.waitForAcks(epoch);
        this.moves++;
        return await fn();
      } finally {
        this.state.moving = 0;
        await this.writeOwn();
      }
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.loop = this.tick()
        .catch((err: unknown) => this.options.onError?.(err))
        .finally(() => this.schedule());
    }, this.pollMs);
    this.timer.unref();
  }

  /**
   * Renews the registration when due, reads every replica, and honours the move flags it finds: the gate closes
   * at once; an epoch not yet acknowledged is acknowledged once the batches in flight are done. The licence only
   * grows from a write that this tick's read came after.
   */
  private async tick(): Promise<void> {
    const t = this.now();
    if (t >= this.licensedUntil) this.closings++;
    const wroteAt = t - this.lastWriteAt >= this.ttlMs / 3 || t >= this.licensedUntil ? await this.writeOwn() : null;
    const flags = new Map((await this.liveOthers()).filter((d) => d.moving > 0).map((d) => [d._id, d.moving]));
    this.blockedBy = flags;
    if (flags.size > 0) this.closings++;
    const acked = Object.keys(this.state.acks).length === flags.size && [...flags].every(([id, e]) => this.state.acks[id] === e);
    if (!acked) {
      if (flags.size > 0) await this.drainRenewing();
      this.state.acks = Object.fromEntries(flags);
      await this.writeOwn();
    }
    if (wroteAt !== null) this.licensedUntil = Math.max(this.licensedUntil, wroteAt + this.ttlMs - this.ttlMs / 3);
    this.lock.recheck();
  }

  /** waits for the report batches in flight here, renewing the registration meanwhile (a mover waits for them) */
  private async drainRenewing(): Promise<void> {
    const drained = this.lock.drained().then(() => true);
    while (!(await Promise.race([drained, sleep(this.ttlMs / 3).then(() => false)]))) await this.writeOwn();
  }

  /** raises this replica's move flag until a read after it shows no other live replica's flag */
  private async raiseFlag(epoch: number): Promise<void> {
    for (;;) {
      this.state.moving = epoch;
      await this.writeOwn();
      for (;;) {
        const flagged = (await this.liveOthers()).filter((d) => d.moving > 0);
        if (flagged.length === 0) return;
        // both raised: the lower id goes first, the other withdraws (and the lower one waits for that)
        if (flagged.some((d) => d._id < this.replicaId)) break;
        await sleep(this.pollMs);
      }
      this.state.moving = 0;
      await this.writeOwn();
      while ((await this.liveOthers()).some((d) => d.moving > 0)) await sleep(this.pollMs);
    }
  }

  private async waitForAcks(epoch: number): Promise<void> {
    while ((await this.liveOthers()).some((d) => d.acks?.[this.replicaId] !== epoch)) await sleep(this.pollMs);
  }

  /** the other replicas whose registration has not lapsed (with ttl/3 of grace for clocks that disagree) */
  private async liveOthers(): Promise<ReplicaDoc[]> {
    const now = this.now();
    return (await this.options.replicas.find({})).filter((d) => d._id !== this.replicaId && typeof d.expiresAt === 'number' && now < d.expiresAt + this.ttlMs / 3);
  }

  /** writes this replica's whole document (one writer: this replica; writes in order); resolves with when it started */
  private writeOwn(): Promise<number> {
    const write = async (): Promise<number> => {
      const at = this.now();
      await this.options.replicas.put({ _id: this.replicaId, expiresAt: at + this.ttlMs, moving: this.state.moving, acks: { ...this.state.acks } });
      this.lastWriteAt = at;
      return at;
    };
    const done = this.writes.then(write, write);
    this.writes = done.catch(() => undefined);
    return done;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
