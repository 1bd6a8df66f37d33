import { MongoClient, type Collection, type Db } from 'mongodb';
import { TallyError, type StoredEvent } from '@tally/contracts';
import { detectMongoDialect, isDuplicateKey, onlyDuplicateKeys, type MongoDialect } from '@tally/mongo';
import { StreamVersionConflictError, type AppendResult, type EventStore, type ExpectedVersion, type NewEvent } from '../port';
import { envelopeOf, validateAppend, versionMatches } from '../append-rules';
import { MongoLeases } from './mongo-lease';

/*
 * Design (MongoDB and FerretDB 1.24 alike: no transactions, no change streams, no aggregation)
 * --------------------------------------------------------------------------------------------
 * FerretDB 1.24 (SQLite) does NOT apply an update as one atomic read-modify-write: measured here, 100 concurrent
 * `$inc`s on one document left it at 5, and 50 concurrent compare-and-set updates ({_id, n: 0} -> n) had 5 winners.
 * Inserts against a unique index ARE atomic on both servers. So this store is built from inserts only: no counter
 * document, no pending markers, no update of shared state.
 *
 * `events`: ONE DOCUMENT PER APPEND (a "commit"), so a multi-event append is atomic for every reader:
 *   { _id: `p${position}`, streamId, version, lastVersion, position, lastPosition, events: [{id, type, json}] }
 * version..lastVersion are its events' stream versions, position..lastPosition their global positions (contiguous).
 * The _id claims the position; a unique index on {streamId, version} the version. readAll range-scans an index on
 * {lastPosition}. The envelope is stored as JSON text: it round-trips
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
 * Appends of one process are serialized, so they do not race each other for the head; writers in several processes
 * race, and the losers retry. Group commit: the appends that arrive while one insert is in flight go out together as
 * ONE ordered `insertMany` of consecutive positions (at most one per stream), which the server applies in order and
 * stops at the first failure, so what it stored is a prefix of the batch and still one gapless chain; each append is
 * answered once its own commit is stored, the rest of a batch after a failure are tried again.
 *
 * `relay`: the relay's checkpoint as insert-only documents {_id: position}; the checkpoint is the highest one, older
 * ones are deleted after each insert. So concurrent markPublished calls can never move it back.
 *
 * FerretDB dialect. FerretDB 1.24 answers every filter other than `{ _id: <string> }` by reading and sorting the
 * whole collection in Go (indexes only enforce uniqueness), so every append and every relay poll would cost
 * O(log size). There the store finds everything by _id:
 * - readAll follows the chain of commits: `p${after + 1}`, then `p${lastPosition + 1}`, ... (fetched in parallel
 *   windows); the first miss is the head, since positions have no gaps.
 * - streams are found through `streams` documents { _id: `${streamId}:${version}`, position, lastVersion }, one per
 *   commit, inserted right after it: `${streamId}:1`, then `${streamId}:${lastVersion + 1}`, ... A writer that
 *   crashes between the two inserts leaves a stream that looks one commit short; the next append to it collides with
 *   the real commit on {streamId, version}, and the writer then finds it by a query (the one scan, on that rare path)
 *   and inserts its missing `streams` document before retrying.
 */

export interface MongoEventStoreOptions {
  /** give up an append that lost the race for the head position this many times in a row; default 1000 */
  maxPositionRetries?: number;
}

export type MongoConnection = ({ url: string; dbName: string } | { db: Db }) & {
  /** which server this is; detected (buildInfo) when not given */
  dialect?: MongoDialect;
};

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

/** An append waiting for its batch (group commit). */
interface PendingAppend {
  streamId: string;
  entries: EventEntry[];
  expected: ExpectedVersion;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

/** An append of the batch being written, with the stream version it was checked against. */
interface BatchItem {
  pending: PendingAppend;
  actual: number;
}

interface RelayDoc {
  _id: number;
}

/** FerretDB dialect: where a stream's commit is (see the design note) */
interface StreamDoc {
  _id: string;
  position: number;
  lastVersion: number;
}

/**
 * FerretDB dialect: following the chain, the first window of positions fetched at once after the first commit, and
 * the largest (each window twice the last while every position in it was a commit). A reader that is nearly
 * caught up (the relay, a head lookup) finds one or two new commits: a small first window wastes few lookups.
 */
const FIRST_CHAIN_WINDOW = 2;
const CHAIN_WINDOW = 32;
/** FerretDB dialect: the most events one commit is looked back over when readAll starts inside a commit */
const MAX_LOOK_BACK = 64;

/**
 * FerretDB dialect: a head lookup follows the chain for the commits' ends only. Each commit still costs FerretDB a
 * read of the whole document, but not the reply of its events (a report's are kilobytes) nor the driver's parse.
 */
const ENDS_ONLY = { position: 1, lastPosition: 1 } as const;

/** Group commit: the most appends one `insertMany` carries (a deadline day's burst is a few dozen at a time). */
const MAX_GROUP = 64;

export class MongoEventStore implements EventStore {
  private readonly events: Collection<CommitDoc>;
  private readonly relay: Collection<RelayDoc>;
  private readonly streams: Collection<StreamDoc>;
  private readonly maxPositionRetries: number;
  /** appends not yet in a batch, in arrival order */
  private readonly queue: PendingAppend[] = [];
  /** the batch loop while it runs: this process's inserts one batch at a time, never racing each other for the head */
  private writing: Promise<void> | null = null;
  /** the head as this process last wrote or read it: the next insert's first guess */
  private knownHead: number | null = null;
  /** FerretDB: the last position of the last commit readAll returned (a commit end, so no look-back from it) */
  private lastChainEnd = -1;
  /** FerretDB: the head as headPosition last found it (a commit end; heads only grow), where the next one starts */
  private headRead: number | null = null;
  private readonly leases: MongoLeases;
  private closed = false;

  constructor(
    readonly db: Db,
    options: MongoEventStoreOptions = {},
    private readonly ownedClient: MongoClient | null = null,
    readonly dialect: MongoDialect = 'mongodb',
  ) {
    this.events = db.collection<CommitDoc>('events');
    this.relay = db.collection<RelayDoc>('relay');
    this.streams = db.collection<StreamDoc>('streams');
    this.maxPositionRetries = options.maxPositionRetries ?? 1_000;
    this.leases = new MongoLeases(db);
  }

  /** Creates the indexes (idempotent). */
  async init(): Promise<void> {
    await this.events.createIndex({ streamId: 1, version: 1 }, { unique: true, name: 'stream_version' });
    // the head query (the _id claims positions, but as a string it does not sort by them)
    await this.events.createIndex({ position: 1 }, { unique: true, name: 'position' });
    // readAll's range scan: commits never overlap, so lastPosition order is position order
    await this.events.createIndex({ lastPosition: 1 }, { name: 'last_position' });
  }

  async append(streamId: string, events: NewEvent[], expectedVersion: ExpectedVersion): Promise<AppendResult> {
    this.assertOpen();
    validateAppend(streamId, events, expectedVersion);
    const entries = events.map((e) => ({ id: e.id, type: e.type, json: JSON.stringify(envelopeOf(e)) }));
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ streamId, entries, expected: expectedVersion, resolve, reject });
      this.startWriting();
    });
  }

  /** Runs the batch loop unless it runs; an append queued while the loop was ending starts it again. */
  private startWriting(): void {
    if (this.writing) return;
    this.writing = (async () => {
      try {
        await this.writeQueued();
      } finally {
        this.writing = null;
        if (this.queue.length > 0) this.startWriting();
      }
    })();
  }

  async readStream(streamId: string, fromVersion = 1): Promise<StoredEvent[]> {
    this.assertOpen();
    const commits =
      this.dialect === 'ferretdb'
        ? await this.commitsById((await this.streamChain(streamId)).filter((c) => c.lastVersion >= fromVersion).map((c) => commitId(c.position)))
        : await this.events.find({ streamId, lastVersion: { $gte: fromVersion } }).sort({ version: 1 }).toArray();
    return commits.flatMap(toStored).filter((e) => e.streamVersion >= fromVersion);
  }

  async streamVersion(streamId: string): Promise<number> {
    this.assertOpen();
    if (this.dialect === 'ferretdb') return (await this.streamChain(streamId)).at(-1)?.lastVersion ?? 0;
    const last = await this.events.find({ streamId }, { projection: { lastVersion: 1 } }).sort({ version: -1 }).limit(1).toArray();
    return last[0]?.lastVersion ?? 0;
  }

  async readAll(afterPosition: number, limit: number): Promise<StoredEvent[]> {
    this.assertOpen();
    if (limit <= 0) return [];
    const n = Math.floor(limit);
    const commits =
      this.dialect === 'ferretdb'
        ? await this.chainFrom(afterPosition, n)
        : await this.events.find({ lastPosition: { $gt: afterPosition } }).sort({ lastPosition: 1 }).limit(n).toArray();
    return commits
      .flatMap(toStored)
      .filter((e) => e.position > afterPosition)
      .slice(0, n);
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    const seen = this.dialect === 'ferretdb' ? Math.max(this.knownHead ?? -1, this.headRead ?? -1) : -1;
    if (seen >= 0) {
      // follow the chain from what this process last saw (commits after it are few): no scan. A process that
      // never appends (the rollup asks once per report batch) scans only for its first head.
      const after = await this.chainFrom(seen, Number.MAX_SAFE_INTEGER, ENDS_ONLY);
      const head = after.at(-1)?.lastPosition ?? seen;
      this.headRead = head;
      return head;
    }
    const last = await this.events.find({}, { projection: { lastPosition: 1 } }).sort({ position: -1 }).limit(1).toArray();
    const head = last[0]?.lastPosition ?? 0;
    if (this.dialect === 'ferretdb') this.headRead = head;
    return head;
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

  acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.leases.acquireLease(name, holder, ttlMs);
  }

  releaseLease(name: string, holder: string): Promise<void> {
    return this.leases.releaseLease(name, holder);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // appends queued before the close are written first (the loop may start again once for the last of them)
    while (this.writing) await this.writing;
    await this.ownedClient?.close();
  }

  /** The batch loop: takes what is queued (one append per stream, the next of a stream waits its turn) until empty. */
  private async writeQueued(): Promise<void> {
    while (this.queue.length > 0) {
      const batch: PendingAppend[] = [];
      const streams = new Set<string>();
      for (let i = 0; i < this.queue.length && batch.length < MAX_GROUP; ) {
        const next = this.queue[i]!;
        if (streams.has(next.streamId)) {
          i++;
          continue;
        }
        streams.add(next.streamId);
        batch.push(next);
        this.queue.splice(i, 1);
      }
      try {
        await this.appendBatch(batch);
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
  }

  /**
   * Appends a batch of appends to distinct streams: each checked against its stream's version, then their commits
   * inserted at consecutive positions in one ordered insert. After a duplicate key the stored prefix is answered and
   * the rest tried again: the failed one's stream moved (a conflict, or 'any' appends after it) or another process
   * took the head (all of them move up). Resolving or rejecting an append twice is harmless (a promise settles once).
   */
  private async appendBatch(batch: PendingAppend[]): Promise<void> {
    const versions = await Promise.all(batch.map((p) => this.versionToCheck(p)));
    let items: BatchItem[] = [];
    batch.forEach((pending, i) => {
      const actual = versions[i]!;
      if (!versionMatches(pending.expected, actual)) pending.reject(new StreamVersionConflictError(pending.streamId, pending.expected, actual));
      else if (pending.entries.length === 0) pending.resolve({ nextVersion: actual, positions: [] });
      else items.push({ pending, actual });
    });
    for (let positionRaces = 0; items.length > 0; ) {
      let from = (this.knownHead ?? (await this.headPosition())) + 1;
      const commits = items.map(({ pending, actual }): CommitDoc => {
        const commit: CommitDoc = {
          _id: commitId(from),
          streamId: pending.streamId,
          version: actual + 1,
          lastVersion: actual + pending.entries.length,
          position: from,
          lastPosition: from + pending.entries.length - 1,
          events: pending.entries,
        };
        from = commit.lastPosition + 1;
        return commit;
      });
      const stored = await this.insertPrefix(commits);
      if (stored > 0) this.knownHead = commits[stored - 1]!.lastPosition;
      if (this.dialect === 'ferretdb') await this.indexStreams(commits.slice(0, stored));
      for (let i = 0; i < stored; i++) {
        const commit = commits[i]!;
        items[i]!.pending.resolve({ nextVersion: commit.lastVersion, positions: range(commit.position, commit.lastPosition) });
      }
      if (stored === items.length) return;

      // the one at `stored` hit a duplicate key; the ones after it were not tried
      const failed = items[stored]!;
      items = items.slice(stored);
      // FerretDB: the head this process knew is stale; the chain from it leads to the new head without a scan
      if (this.dialect === 'ferretdb' && this.knownHead !== null) this.knownHead = await this.headPosition();
      else this.knownHead = null;
      const now =
        this.dialect === 'ferretdb'
          ? await this.versionAfterCollision(failed.pending.streamId, failed.actual, commits[stored]!.position)
          : await this.streamVersion(failed.pending.streamId);
      if (now !== failed.actual) {
        // the stream moved: a real conflict ('any' simply appends after it)
        if (versionMatches(failed.pending.expected, now)) failed.actual = now;
        else {
          failed.pending.reject(new StreamVersionConflictError(failed.pending.streamId, failed.pending.expected, now));
          items = items.slice(1);
        }
        continue;
      }
      // the stream did not move, so the key it lost was the position: another writer took the head first
      if (++positionRaces > this.maxPositionRetries) {
        for (const { pending } of items) {
          pending.reject(new TallyError('UNAVAILABLE', `stream ${pending.streamId}: lost the race for the head position too often; retry`, { streamId: pending.streamId }));
        }
        return;
      }
    }
  }

  /**
   * The stream version an append is checked against and written after. A stream that exists has a commit at version
   * 1, so 'no_stream' (and 0) needs no read: the insert at version 1 collides. FerretDB: an expected version N whose
   * commit starts at N is confirmed by that one `streams` document (instead of the stream's whole chain); a stream
   * already past N makes the insert at N + 1 collide, and the collision path reads it. Otherwise the stream is read.
   */
  private async versionToCheck(p: PendingAppend): Promise<number> {
    if (p.entries.length === 0) return this.streamVersion(p.streamId);
    if (p.expected === 'no_stream' || p.expected === 0) return 0;
    if (this.dialect === 'ferretdb' && typeof p.expected === 'number') {
      const commit = await this.streams.findOne({ _id: `${p.streamId}:${p.expected}` });
      if (commit?.lastVersion === p.expected) return p.expected;
    }
    return this.streamVersion(p.streamId);
  }

  /**
   * Inserts the commits in order and answers how many were stored: all of them, or those before the first
   * duplicate key (an ordered insert stops there, on MongoDB and FerretDB alike). Any other error is thrown.
   * Which ones were stored is read back rather than taken from the error's index (FerretDB has reported a wrong
   * index for a failed ordered bulk update): answering an append that was not stored would lose it.
   */
  private async insertPrefix(commits: CommitDoc[]): Promise<number> {
    try {
      await this.events.insertMany(commits, { ordered: true });
      return commits.length;
    } catch (error) {
      if (!onlyDuplicateKeys(error)) throw error;
      const found = await Promise.all(commits.map((c) => this.events.findOne({ _id: c._id }, { projection: { events: 1 } })));
      const stored = found.findIndex((doc, i) => doc?.events[0]?.id !== commits[i]!.events[0]!.id);
      return stored === -1 ? commits.length : stored;
    }
  }

  /** FerretDB: the stream's commits in version order, found through its `streams` documents. */
  private async streamChain(streamId: string): Promise<StreamDoc[]> {
    const chain: StreamDoc[] = [];
    for (let version = 1; ; ) {
      const doc = await this.streams.findOne({ _id: `${streamId}:${version}` });
      if (!doc) return chain;
      chain.push(doc);
      version = doc.lastVersion + 1;
    }
  }

  /**
   * FerretDB: the stream's version after an insert at position `from` collided. When the stream looks unchanged and
   * the position is free, the collision was on {streamId, version}: a commit at the next version exists without its
   * `streams` document (its writer died between the two inserts); it is found (the one query that scans) and its
   * document written now. A taken position is the usual race for the head: no scan.
   */
  private async versionAfterCollision(streamId: string, known: number, from: number): Promise<number> {
    const now = await this.streamVersion(streamId);
    if (now !== known) return now;
    if (await this.events.findOne({ _id: commitId(from) }, { projection: { _id: 1 } })) return now;
    for (let version = known; ; ) {
      const orphan = await this.events.findOne({ streamId, version: version + 1 });
      if (!orphan) return version;
      await this.indexStreams([orphan]);
      version = orphan.lastVersion;
    }
  }

  /** FerretDB: the commits' `streams` documents (one insert; one already there is fine: a healer wrote it). */
  private async indexStreams(commits: CommitDoc[]): Promise<void> {
    if (commits.length === 0) return;
    const docs = commits.map((c) => ({ _id: `${c.streamId}:${c.version}`, position: c.position, lastVersion: c.lastVersion }));
    try {
      await this.streams.insertMany(docs, { ordered: false });
    } catch (error) {
      if (!onlyDuplicateKeys(error)) throw error;
    }
  }

  /**
   * FerretDB: the commits holding positions after `after`, up to `limit` events, by following the chain of _ids.
   * With `projection` (ENDS_ONLY: a head lookup), each commit comes without its events.
   */
  private async chainFrom(after: number, limit: number, projection?: typeof ENDS_ONLY): Promise<CommitDoc[]> {
    const out: CommitDoc[] = [];
    let next = after + 1;
    let events = 0;
    const first = await this.events.findOne({ _id: commitId(next) }, projection ? { projection } : {});
    // an idle reader asks again and again from the end of the last commit it got: nothing to look back for
    if (!first && (after === this.lastChainEnd || after === this.knownHead || after === this.headRead)) return out;
    if (!first && after > 0) {
      // `after` may sit inside a multi-event commit (a reader stopped at its limit): find that commit
      const containing = await this.commitContaining(next);
      if (!containing) return out;
      out.push(containing);
      events += containing.lastPosition - after;
      next = containing.lastPosition + 1;
    } else if (first) {
      out.push(first);
      events += eventCount(first);
      next = first.lastPosition + 1;
    } else return out;
    for (let size = FIRST_CHAIN_WINDOW; events < limit; size = Math.min(CHAIN_WINDOW, 2 * size)) {
      // most commits hold one event: fetch a window of positions at once and keep those on the chain
      const start = next;
      const window = Math.min(size, limit - events);
      const found = new Map((await this.commitsById(range(start, start + window - 1).map(commitId), projection)).map((c) => [c.position, c]));
      for (let c = found.get(next); c && events < limit; c = found.get(next)) {
        out.push(c);
        events += eventCount(c);
        next = c.lastPosition + 1;
      }
      // a position inside the window that starts no commit is the head (positions have no gaps)
      if (next < start + window) break;
    }
    this.lastChainEnd = out.at(-1)?.lastPosition ?? this.lastChainEnd;
    return out;
  }

  /** FerretDB: the commit whose positions include `position` (it starts at most MAX_LOOK_BACK before it). */
  private async commitContaining(position: number): Promise<CommitDoc | null> {
    for (let start = position - 1; start >= Math.max(1, position - MAX_LOOK_BACK); start--) {
      const c = await this.events.findOne({ _id: commitId(start) });
      if (c) return c.lastPosition >= position ? c : null;
    }
    return this.events.findOne({ position: { $lte: position }, lastPosition: { $gte: position } });
  }

  /** Commits by _id, in the order asked, skipping those that do not exist. */
  private async commitsById(ids: string[], projection?: typeof ENDS_ONLY): Promise<CommitDoc[]> {
    const docs = await Promise.all(ids.map((id) => this.events.findOne({ _id: id }, projection ? { projection } : {})));
    return docs.filter((d): d is NonNullable<typeof d> => d !== null) as CommitDoc[];
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('MongoEventStore is closed');
  }
}

/** Connects (when given a URL), creates the indexes and returns the store. */
export async function createMongoEventStore(connection: MongoConnection, options: MongoEventStoreOptions = {}): Promise<MongoEventStore> {
  let store: MongoEventStore;
  if ('db' in connection) {
    store = new MongoEventStore(connection.db, options, null, connection.dialect ?? (await detectMongoDialect(connection.db)));
  } else {
    const client = new MongoClient(connection.url);
    await client.connect();
    const db = client.db(connection.dbName);
    try {
      store = new MongoEventStore(db, options, client, connection.dialect ?? (await detectMongoDialect(db)));
    } catch (error) {
      await client.close();
      throw error;
    }
  }
  try {
    await store.init();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

function toStored(commit: CommitDoc): StoredEvent[] {
  return commit.events.map((e, i) => ({
    ...(JSON.parse(e.json) as NewEvent),
    streamVersion: commit.version + i,
    position: commit.position + i,
  }));
}

/** A commit's _id: its first position (a string, the only kind of filter FerretDB looks up without a scan). */
const commitId = (position: number): string => `p${position}`;

/** A commit's events, counted by its positions (a commit read with ENDS_ONLY has no `events`). */
const eventCount = (c: CommitDoc): number => c.lastPosition - c.position + 1;

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
