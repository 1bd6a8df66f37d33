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
  /** Many updates at once (one round trip / transaction where the adapter can). Returns how many applied. */
  updateMany(ops: Array<{ id: string; update: Update; guard?: Guard }>): Promise<number>;
  delete(id: string): Promise<void>;
  /** Ensures a (non-unique) index on the given fields. */
  ensureIndex(fields: string[]): Promise<void>;
}

export interface ReadStore {
  collection<T extends Doc = Doc>(name: string): Collection<T>;
  /** Drops every collection whose name starts with `prefix` (for rebuilds). */
  dropAll(prefix?: string): Promise<void>;
  close(): Promise<void>;
}
