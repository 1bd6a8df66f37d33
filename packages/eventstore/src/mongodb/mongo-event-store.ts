import { MongoClient, MongoServerError, type Collection, type Db } from 'mongodb';
import { TallyError, type StoredEvent } from '@tally/contracts';
import { StreamVersionConflictError, type AppendResult, type EventStore, type ExpectedVersion, type NewEvent } from '../port';
import { envelopeOf, validateAppend, versionMatches } from '../append-rules';

/*
 * Design (MongoDB and FerretDB 1.24 alike: no transactions, no change streams, no aggregation)
 * --------------------------------------------------------------------------------------------
 * FerretDB 1.24 (SQLite) does NOT apply an update as one atomic read-modify-write: measured here, 100 concurrent
 * `$inc`s on one document left it at 5, and 50 concurrent compare-and-set updates ({_id, n: 0} -> n) had 5 winners.
 * Inserts against a unique index ARE atomic on both servers. So this store is built from inserts only: no counter
 * document, no pending markers, no update of shared state.
 *
 * `events`: ONE DOCUMENT PER APPEND (a "commit"), so a multi-event append is atomic for every reader:
 *   { _id: `${streamId}:${version}`, streamId, version, lastVersion, position, lastPosition, events: [{id, type, json}] }
 * version..lastVersion are its events' stream versions, position..lastPosition their global positions (contiguous).
 * Unique indexes on {streamId, version} and on {position}; readAll range-scans an index on {lastPosition}. The envelope is stored as JSON text: it round-trips
 * exactly as in the SQLite store, and event data may hold keys FerretDB refuses ("." or a leading "$").
 *
 * Versions: a writer reads the stream's last commit (its lastVersion), checks the expected version and inserts the
 * commit for version+1. Commits tile the version space, so racing writers that read the same version insert the same
 * {streamId, version}: one wins, the others get a duplicate key, mapped to StreamVersionConflictError ('any' retries).
 *
 * Positions: a writer takes position = (highest lastPosition in the store) + 1, and the SAME unique-index insert that
 * stores its events claims it. Every claim starts right after an existing claim (or at 1), so the claims form one
 * gapless chain from 1: a writer that read a stale head tries a position that is already the start of a claim and gets
 * a duplicate key (it then re-reads the head and retries; nothing is burnt, positions have no gaps). Hence an insert
 * only succeeds at the very end of the chain, and a commit becomes visible only after every smaller position is
 * visible: once readAll has returned position P it can never later reveal a smaller one, and the relay's checkpoint
 * never skips an event. No "in flight" horizon is needed. (On a replica set, use w: 'majority' in the URL, so that
 * a failover cannot roll back a position another writer already chained onto.)
 * Appends of one process are serialized (one insert at a time), so they do not race each other for the head; writers
 * in several processes race, and the losers retry.
 *
 * `relay`: the relay's checkpoint as insert-only documents {_id: position}; the checkpoint is the highest one, older
 * ones are deleted after each insert. So concurrent markPublished calls can never move it back.
 */

export interface MongoEventStoreOptions {
  /** give up an append that lost the race for the head position this many times in a row; default 1000 */
  maxPositionRetries?: number;
}

export type MongoConnection = { url: string; dbName: string } | { db: Db };

interface EventEntry {
  id: string;
  type: string;
  json: string;
}

interface CommitDoc {
  _id: string;
  streamId: string;
  version: number;
  lastVersion: number;
  position: number;
  lastPosition: number;
  events: EventEntry[];
}

interface RelayDoc {
  _id: number;
}

const DUPLICATE_KEY = 11000;

export class MongoEventStore implements EventStore {
  private readonly events: Collection<CommitDoc>;
  private readonly relay: Collection<RelayDoc>;
  private readonly maxPositionRetries: number;
  /** serializes this process's inserts, so that they do not race each other for the head position */
  private appending: Promise<unknown> = Promise.resolve();
  /** the head as this process last wrote or read it: the next insert's first guess */
  private knownHead: number | null = null;
  private closed = false;

  constructor(
    readonly db: Db,
    options: MongoEventStoreOptions = {},
    private readonly ownedClient: MongoClient | null = null,
  ) {
    this.events = db.collection<CommitDoc>('events');
    this.relay = db.collection<RelayDoc>('relay');
    this.maxPositionRetries = options.maxPositionRetries ?? 1_000;
  }

  /** Creates the indexes (idempotent). */
  async init(): Promise<void> {
    await this.events.createIndex({ streamId: 1, version: 1 }, { unique: true, name: 'stream_version' });
    await this.events.createIndex({ position: 1 }, { unique: true, name: 'position' });
    // readAll's range scan: commits never overlap, so lastPosition order is position order
    await this.events.createIndex({ lastPosition: 1 }, { name: 'last_position' });
  }

  async append(streamId: string, events: NewEvent[], expectedVersion: ExpectedVersion): Promise<AppendResult> {
    this.assertOpen();
    validateAppend(streamId, events, expectedVersion);
    const entries = events.map((e) => ({ id: e.id, type: e.type, json: JSON.stringify(envelopeOf(e)) }));
    const run = () => this.appendSerialized(streamId, entries, expectedVersion);
    const result = this.appending.then(run, run);
    this.appending = result.catch(() => undefined);
    return result;
  }

  async readStream(streamId: string, fromVersion = 1): Promise<StoredEvent[]> {
    this.assertOpen();
    const commits = await this.events.find({ streamId, lastVersion: { $gte: fromVersion } }).sort({ version: 1 }).toArray();
    return commits.flatMap(toStored).filter((e) => e.streamVersion >= fromVersion);
  }

  async streamVersion(streamId: string): Promise<number> {
    this.assertOpen();
    const last = await this.events.find({ streamId }, { projection: { lastVersion: 1 } }).sort({ version: -1 }).limit(1).toArray();
    return last[0]?.lastVersion ?? 0;
  }

  async readAll(afterPosition: number, limit: number): Promise<StoredEvent[]> {
    this.assertOpen();
    if (limit <= 0) return [];
    const n = Math.floor(limit);
    const commits = await this.events.find({ lastPosition: { $gt: afterPosition } }).sort({ lastPosition: 1 }).limit(n).toArray();
    return commits
      .flatMap(toStored)
      .filter((e) => e.position > afterPosition)
      .slice(0, n);
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    const last = await this.events.find({}, { projection: { lastPosition: 1 } }).sort({ position: -1 }).limit(1).toArray();
    return last[0]?.lastPosition ?? 0;
  }

  async publishedPosition(): Promise<number> {
    this.assertOpen();
    const last = await this.relay.find({}).sort({ _id: -1 }).limit(1).toArray();
    return last[0]?._id ?? 0;
  }

  async markPublished(position: number): Promise<void> {
    this.assertOpen();
    if (!Number.isSafeInteger(position) || position < 0) throw new TypeError(`invalid position ${position}`);
    try {
      await this.relay.insertOne({ _id: position });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    // older checkpoints are history: whatever races this, the highest document stays
    await this.relay.deleteMany({ _id: { $lt: position } });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.appending;
    await this.ownedClient?.close();
  }

  private async appendSerialized(streamId: string, entries: EventEntry[], expected: ExpectedVersion): Promise<AppendResult> {
    let actual = await this.streamVersion(streamId);
    for (let positionRaces = 0; ; ) {
      if (!versionMatches(expected, actual)) throw new StreamVersionConflictError(streamId, expected, actual);
      if (entries.length === 0) return { nextVersion: actual, positions: [] };
      const from = (this.knownHead ?? (await this.headPosition())) + 1;
      const commit: CommitDoc = {
        _id: `${streamId}:${actual + 1}`,
        streamId,
        version: actual + 1,
        lastVersion: actual + entries.length,
        position: from,
        lastPosition: from + entries.length - 1,
        events: entries,
      };
      try {
        await this.events.insertOne(commit);
      } catch (error) {
        this.knownHead = null;
        if (!isDuplicateKey(error)) throw error;
        const now = await this.streamVersion(streamId);
        if (now !== actual) {
          // the stream moved: a real conflict ('any' simply appends after it)
          actual = now;
          continue;
        }
        // the stream did not move, so the key we lost was the position: another writer took the head first
        if (++positionRaces > this.maxPositionRetries) {
          throw new TallyError('UNAVAILABLE', `stream ${streamId}: lost the race for the head position too often; retry`, { streamId });
        }
        continue;
      }
      this.knownHead = commit.lastPosition;
      return { nextVersion: commit.lastVersion, positions: range(commit.position, commit.lastPosition) };
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('MongoEventStore is closed');
  }
}

/** Connects (when given a URL), creates the indexes and returns the store. */
export async function createMongoEventStore(connection: MongoConnection, options: MongoEventStoreOptions = {}): Promise<MongoEventStore> {
  let store: MongoEventStore;
  if ('db' in connection) {
    store = new MongoEventStore(connection.db, options);
  } else {
    const client = new MongoClient(connection.url);
    await client.connect();
    store = new MongoEventStore(client.db(connection.dbName), options, client);
  }
  try {
    await store.init();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}

function toStored(commit: CommitDoc): StoredEvent[] {
  return commit.events.map((e, i) => ({
    ...(JSON.parse(e.json) as NewEvent),
    streamVersion: commit.version + i,
    position: commit.position + i,
  }));
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
