/**
 * The read side: precomputed documents looked up by key or by simple equality filters.
 * Only operations both MongoDB and FerretDB (and the SQLite adapter) support.
 *
 * Idempotency: a projection writes with a guard, `{ guard: { field, below } }`: the write happens only if the
 * document's numeric `field` is missing or < `below`, and the write should set that field to `below`.
 * So redelivering an already applied event changes nothing.
 */
export type Doc = { _id: string } & Record<string, unknown>;

export type Scalar = string | number | boolean | null;

/** Equality on top-level or dotted fields (no operators: user input can never become an operator). */
export type Filter = Record<string, Scalar>;

export interface FindOptions {
  sort?: Record<string, 1 | -1>;
  limit?: number;
  skip?: number;
}

export interface Update {
  /** fields to set; dotted paths allowed (e.g. "values.HH_TOTAL") */
  set?: Record<string, unknown>;
  /** numeric fields to add to (missing = 0) */
  inc?: Record<string, number>;
  /** fields to remove */
  unset?: string[];
  /** fields set only when the document is created by this write */
  setOnInsert?: Record<string, unknown>;
}

export interface Guard {
  field: string;
  /** apply only if doc[field] is missing or < below */
  below: number;
}

export interface Collection<T extends Doc = Doc> {
  readonly name: string;
  get(id: string): Promise<T | null>;
  getMany(ids: string[]): Promise<T[]>;
  find(filter: Filter, options?: FindOptions): Promise<T[]>;
  count(filter: Filter): Promise<number>;
  /** Replaces (or inserts) the whole document. */
  put(doc: T): Promise<void>;
  /**
   * Upserting update. With a guard, applies only if the guard holds; returns whether it applied.
   * (An upsert that fails its guard because the doc exists with a higher value is not an error.)
   */
  update(id: string, update: Update, guard?: Guard): Promise<boolean>;
  /**
   * Many updates at once (one round trip / transaction where the adapter can). Returns how many applied.
   * `read`: documents the caller read just before (null: there was none), with no other writer of them since; an
   * adapter that checks guards on documents it reads first (FerretDB) does not read those again.
   */
  updateMany(ops: Array<{ id: string; update: Update; guard?: Guard }>, read?: ReadonlyMap<string, T | null>): Promise<number>;
  delete(id: string): Promise<void>;
  /** Ensures a (non-unique) index on the given fields. */
  ensureIndex(fields: string[]): Promise<void>;
}

/**
 * A counter-shaped collection, for read models that are mostly numbers added to (rollup cell shares): each
 * document ("share") has a few scalar `fields` (to find it by), the `applied` position of the last guarded write,
 * and a flat map of named numeric `counters` (names may contain dots: they are opaque keys, not paths).
 * Adapters store it so that adding to many counters costs no document-path emulation, and write a whole batch of
 * shares at once: one transaction (SQLite), one unordered bulk write with `{ _id }` filters only (MongoDB/FerretDB).
 */
export interface CounterShare {
  _id: string;
  fields: Record<string, Scalar>;
  /** the guard position of the last guarded write (0 when never guarded) */
  applied: number;
  counters: Record<string, number>;
}

export interface CounterWrite {
  id: string;
  /** scalar fields set as given (to find the share by) */
  fields?: Record<string, Scalar>;
  /** added to the counters (a missing counter counts as 0) */
  add?: Record<string, number>;
  /**
   * more records added to the counters after `add`, each in turn: a caller whose writes share the same records
   * (the rollup's one delta for every share of a report's path) passes them as they are instead of merging copies
   */
  addAll?: ReadonlyArray<Record<string, number>>;
  /** counters set to these values */
  set?: Record<string, number>;
  /** counters removed */
  remove?: string[];
  /**
   * apply only if the share's `applied` is < guard, and then set `applied` to guard. Each share must have one
   * guarded writer at a time (the guard is checked on the share as read before the write where the store has
   * no transaction).
   */
  guard?: number;
}

export interface CounterCollection {
  readonly name: string;
  getMany(ids: string[]): Promise<CounterShare[]>;
  /** the `applied` position of each share (0 for a missing one): the cheap read before a guarded batch */
  appliedOf(ids: string[]): Promise<Map<string, number>>;
  /** equality on the scalar fields, in `_id` order; `limit`: the first that many (0: all, as for Collection.find) */
  find(filter: Filter, options?: Pick<FindOptions, 'limit'>): Promise<CounterShare[]>;
  /**
   * every write at once (see CounterWrite); returns how many applied. `known`: the `applied` positions the caller
   * (the shares' one guarded writer) read just before with `appliedOf`; a store that checks guards on a read
   * before its write (MongoDB) uses them instead of reading again, one that checks inside a transaction ignores them
   */
  write(writes: CounterWrite[], known?: Map<string, number>): Promise<number>;
  /** a (non-unique) index on scalar fields */
  ensureIndex(fields: string[]): Promise<void>;
}

export interface ReadStore {
  collection<T extends Doc = Doc>(name: string): Collection<T>;
  /** a counter-shaped collection (see CounterCollection); dropped by `dropAll` like the others */
  counters(name: string): CounterCollection;
  /** Drops every collection whose name starts with `prefix` (for rebuilds). */
  dropAll(prefix?: string): Promise<void>;
  /**
   * Resolves once every write made before the call is durable; rejects when some of them were lost. A write's own
   * promise means it is applied and visible to this store's readers; the embedded store commits writes in groups
   * (at the end of the event-loop turn; a flush waits for that commit), so durability comes with flush. The platform commits a consumer's
   * offsets only after a flush (flushBeforeCommit); code that acknowledges a write to someone else (an HTTP answer)
   * flushes before answering. MongoDB: an acknowledged write is durable already.
   */
  flush(): Promise<void>;
  close(): Promise<void>;
}
