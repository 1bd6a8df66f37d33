import { MongoServerError, type Collection, type Db } from 'mongodb';
import type { LeaseStore } from '../relay-lease';

interface LeaseDoc {
  _id: string;
  holder: string;
  /** epoch milliseconds */
  expiresAt: number;
}

/**
 * Leases as documents of the event store's database (collection `leases`, one document per lease). Taking one is
 * an update guarded by "held by me, or lapsed", upserted when absent (two first takers collide on `_id`): atomic
 * on MongoDB. FerretDB checks the guard outside the write, so each take reads the document back and holds only
 * if it names this holder; in a race two takers can both believe it for one renewal period (ttl/3) at most.
 * Expiries are the writer's clock: keep the hosts' clocks in sync well within the ttl.
 */
export class MongoLeases implements LeaseStore {
  private readonly leases: Collection<LeaseDoc>;

  constructor(db: Db) {
    this.leases = db.collection<LeaseDoc>('leases');
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    try {
      await this.leases.updateOne(
        { _id: name, $or: [{ holder }, { expiresAt: { $lte: now } }] },
        { $set: { holder, expiresAt: now + ttlMs } },
        { upsert: true },
      );
    } catch (err) {
      // held by another: the upsert found no document it may update, and inserting collides with theirs
      if (err instanceof MongoServerError && err.code === 11000) return false;
      throw err;
    }
    const doc = await this.leases.findOne({ _id: name });
    return doc?.holder === holder;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    const doc = await this.leases.findOne({ _id: name });
    if (doc?.holder === holder) await this.leases.deleteOne({ _id: name, holder });
  }
}
