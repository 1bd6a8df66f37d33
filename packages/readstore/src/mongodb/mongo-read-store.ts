import {
  MongoClient,
  MongoServerError,
  type AnyBulkWriteOperation,
  type Db,
  type Document,
  type Collection as MongoCollection,
  type Sort,
  type UpdateFilter,
} from 'mongodb';
import type { Collection, CounterCollection, Doc, Filter, FindOptions, Guard, ReadStore, Update } from '../port';
import { assertCollectionName, fieldSegments } from '../sqlite/paths';
import { MongoCounterCollection } from './mongo-counter-collection';
import { detectMongoDialect, DUPLICATE_KEY, isDuplicateKey, writeErrorsOf, type MongoDialect } from '@tally/mongo';

/*
 * The distributed read store on MongoDB (official driver), also run against FerretDB 1.24 in tests and dev.
 * Collections are named exactly as given. Every write is a single-document upsert, so it needs neither transactions
 * nor anything FerretDB lacks.
 *
 * Guarded updates: `{ guard: { field, below } }` becomes the filter
 *   { _id, $or: [{ field: { $exists: false } }, { field: null }, { field: { $lt: below } }] }
 * with upsert: if the document exists and the guard fails, the upsert tries to insert a second document with the same
 * _id and gets a duplicate key error, which means "already applied" (false), not an error. A duplicate key can also
 * mean that another writer created the document between our query and our insert; so the write is tried once more,
 * and only a second duplicate key means "not applied".
 *
 * FerretDB 1.24 (SQLite backend) does not apply an update as one atomic read-modify-write: concurrent updates of the
 * SAME document can lose each other's $inc or slip past a guard there (MongoDB itself is atomic per document).
 * Projections that write one document from several consumers at once need real MongoDB. It also reads the whole
 * collection for any filter other than `{ _id }`, so on FerretDB (the 'ferretdb' dialect, detected from buildInfo)
 * lookups by several ids are one `{ _id }` query each, and a guard is checked on the document read by `{ _id }`
 * before an `{ _id }`-only update: as atomic as FerretDB's own guard check (not at all), and not O(collection).
 */

export type MongoReadStoreConnection = ({ url: string; dbName: string } | { db: Db }) & {
  /** which server this is; detected (buildInfo) when not given */
  dialect?: MongoDialect;
};

type UpdateOp = { id: string; update: Update; guard?: Guard };

const NAMESPACE_NOT_FOUND = 26;

export class MongoReadStore implements ReadStore {
  private closed = false;

  constructor(
    readonly db: Db,
    private readonly ownedClient: MongoClient | null = null,
    readonly dialect: MongoDialect = 'mongodb',
  ) {}

  collection<T extends Doc = Doc>(name: string): Collection<T> {
    assertCollectionName(name);
    if (name.startsWith('system.')) throw new TypeError(`invalid collection name "${name}"`);
    return new MongoReadCollection<T>(this.db.collection(name), name, () => this.assertOpen(), this.dialect);
  }

  counters(name: string): CounterCollection {
    assertCollectionName(name);
    if (name.startsWith('system.')) throw new TypeError(`invalid collection name "${name}"`);
    return new MongoCounterCollection(this.db.collection(name), name, () => this.assertOpen(), this.dialect);
  }

  async dropAll(prefix = ''): Promise<void> {
    this.assertOpen();
    const names = (await this.db.listCollections({}, { nameOnly: true }).toArray())
      .map((c) => c.name)
      .filter((name) => name.startsWith(prefix) && !name.startsWith('system.'));
    for (const name of names) {
      try {
        await this.db.dropCollection(name);
      } catch (error) {
        if (!(error instanceof MongoServerError && error.code === NAMESPACE_NOT_FOUND)) throw error;
      }
    }
  }

  /** an acknowledged MongoDB write is durable already (see ReadStore.flush) */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.ownedClient?.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('MongoReadStore is closed');
  }
}

class MongoReadCollection<T extends Doc> implements Collection<T> {
  constructor(
    private readonly coll: MongoCollection<Document>,
    readonly name: string,
    private readonly assertOpen: () => void,
    private readonly dialect: MongoDialect,
  ) {}

  async get(id: string): Promise<T | null> {
    this.assertOpen();
    assertId(id);
    return (await this.coll.findOne({ _id: id as never })) as T | null;
  }

  async getMany(ids: string[]): Promise<T[]> {
    this.assertOpen();
    const unique = [...new Set(ids)];
    unique.forEach(assertId);
    if (unique.length === 0) return [];
    const docs = (
      this.dialect === 'ferretdb'
        ? (await Promise.all(unique.map((id) => this.coll.findOne({ _id: id as never })))).filter((d) => d !== null)
        : await this.coll.find({ _id: { $in: unique as never[] } }).toArray()
    ) as unknown as T[];
    const byId = new Map(docs.map((d) => [d._id, d]));
    return unique.flatMap((id) => byId.get(id) ?? []);
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    this.assertOpen();
    const query = equalityQuery(filter);
    const { sort, limit, skip } = cursorOptions(options);
    let cursor = this.coll.find(query).sort(sort);
    if (skip > 0) cursor = cursor.skip(skip);
    if (limit > 0) cursor = cursor.limit(limit);
    return (await cursor.toArray()) as unknown as T[];
  }

  async count(filter: Filter): Promise<number> {
    this.assertOpen();
    return this.coll.countDocuments(equalityQuery(filter));
  }

  async put(doc: T): Promise<void> {
    this.assertOpen();
    if (typeof doc?._id !== 'string' || doc._id === '') throw new TypeError('a document needs a string _id');
    await this.coll.replaceOne({ _id: doc._id as never }, copy(doc), { upsert: true });
  }

  async update(id: string, update: Update, guard?: Guard): Promise<boolean> {
    this.assertOpen();
    if (this.dialect === 'ferretdb') return (await this.updateByIdOnly([{ id, update, ...(guard ? { guard } : {}) }])) === 1;
    const op = toUpdateOne({ id, update, guard });
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.coll.updateOne(op.filter, op.update, { upsert: true });
        return result.matchedCount + result.upsertedCount > 0;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // a guard that failed on an existing document (or a racing insert: then the second try sees the document)
        if (attempt >= 2) {
          if (guard) return false;
          throw error;
        }
      }
    }
  }

  async updateMany(ops: UpdateOp[], read?: ReadonlyMap<string, T | null>): Promise<number> {
    this.assertOpen();
    if (this.dialect === 'ferretdb') return this.updateByIdOnly(ops, read);
    const writes = ops.map(toUpdateOne);
    let applied = 0;
    // ordered, so that several updates of one document apply in the given order; a duplicate key (failed guard)
    // stops the batch there: that one is settled by update(), and the rest continues in a new batch
    for (let start = 0; start < writes.length; ) {
      const batch: AnyBulkWriteOperation<Document>[] = writes
        .slice(start)
        .map((w) => ({ updateOne: { filter: w.filter, update: w.update, upsert: true } }));
      try {
        const result = await this.coll.bulkWrite(batch, { ordered: true });
        return applied + result.matchedCount + result.upsertedCount;
      } catch (error) {
        const first = writeErrorsOf(error)[0];
        if (!first || first.code !== DUPLICATE_KEY) throw error;
        // every op before the failed one succeeded, and an upsert that succeeds matches or inserts exactly one
        // document (counted from the index: FerretDB reports zero counts in a failed bulk write's result)
        applied += first.index;
        const op = ops[start + first.index]!;
        if (await this.update(op.id, op.update, op.guard)) applied += 1;
        start += first.index + 1;
      }
    }
    return applied;
  }

  /**
   * FerretDB: the guards are checked on the documents as read by _id (following the earlier ops of the same batch,
   * which set their guard field), then the passing ops go out in one ordered bulk write with `{ _id }` filters.
   * Documents the caller just read (`read`) are not read again.
   */
  private async updateByIdOnly(ops: UpdateOp[], read?: ReadonlyMap<string, T | null>): Promise<number> {
    const writes = ops.map(toUpdateOne);
    const guarded = [...new Set(ops.filter((op) => op.guard).map((op) => op.id))];
    const current = new Map<string, Document>();
    for (const id of guarded) {
      const doc = read?.get(id);
      if (doc) current.set(id, doc);
    }
    for (const d of await this.getMany(guarded.filter((id) => !read?.has(id)))) current.set(d._id, d as Document);
    const batch: AnyBulkWriteOperation<Document>[] = [];
    ops.forEach((op, i) => {
      if (op.guard) {
        const doc = current.get(op.id);
        if (doc && !guardPasses(fieldValue(doc, op.guard.field), op.guard.below)) return;
        current.set(op.id, withField(doc ?? { _id: op.id }, op.guard.field, op.guard.below));
      }
      batch.push({ updateOne: { filter: { _id: op.id as never }, update: writes[i]!.update, upsert: true } });
    });
    if (batch.length === 0) return 0;
    await this.coll.bulkWrite(batch, { ordered: true });
    return batch.length;
  }

  async delete(id: string): Promise<void> {
    this.assertOpen();
    assertId(id);
    await this.coll.deleteOne({ _id: id as never });
  }

  async ensureIndex(fields: string[]): Promise<void> {
    this.assertOpen();
    if (fields.length === 0) throw new TypeError('ensureIndex needs at least one field');
    fields.forEach(fieldSegments);
    await this.coll.createIndex(Object.fromEntries(fields.map((f) => [f, 1])), { name: `ix_${fields.join('__')}` });
  }
}

/** Connects (when given a URL) and returns the store. */
export async function createMongoReadStore(connection: MongoReadStoreConnection): Promise<MongoReadStore> {
  if ('db' in connection) return new MongoReadStore(connection.db, null, connection.dialect ?? (await detectMongoDialect(connection.db)));
  const client = new MongoClient(connection.url);
  await client.connect();
  try {
    const db = client.db(connection.dbName);
    return new MongoReadStore(db, client, connection.dialect ?? (await detectMongoDialect(db)));
  } catch (error) {
    await client.close();
    throw error;
  }
}

/**
 * Equality only, on validated field names, with scalar values: anything that could be read as an operator (an object,
 * an array, a key starting with "$") is refused, so user input can never become a query operator.
 */
function equalityQuery(filter: Filter): Document {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) throw new TypeError('filter must be an object');
  const query: Document = {};
  for (const [field, value] of Object.entries(filter)) {
    fieldSegments(field);
    const ok =
      value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
    if (!ok) throw new TypeError(`filter "${field}": only string, number, boolean or null equality is supported`);
    if (field === '_id' && typeof value !== 'string') {
      query._id = { $in: [] }; // ids are strings: nothing matches (as in the SQLite store)
      continue;
    }
    // $eq keeps the value a value even for a server that would look inside it
    query[field] = value === null ? null : { $eq: value };
  }
  return query;
}

function cursorOptions(options: FindOptions): { sort: Sort; limit: number; skip: number } {
  const sort: Record<string, 1 | -1> = {};
  for (const [field, dir] of Object.entries(options.sort ?? {})) {
    if (dir !== 1 && dir !== -1) throw new TypeError(`sort "${field}": direction must be 1 or -1`);
    fieldSegments(field);
    sort[field] = dir;
  }
  // a stable tie-break, so paging with skip/limit is deterministic
  if (!('_id' in sort)) sort._id = 1;
  const limit = options.limit ?? 0;
  const skip = options.skip ?? 0;
  if (!Number.isSafeInteger(limit) || limit < 0) throw new TypeError('limit must be a non-negative integer');
  if (!Number.isSafeInteger(skip) || skip < 0) throw new TypeError('skip must be a non-negative integer');
  return { sort, limit, skip };
}

function toUpdateOne({ id, update, guard }: UpdateOp): { filter: Document; update: UpdateFilter<Document> } {
  assertId(id);
  const $set: Document = {};
  const $inc: Document = {};
  const $unset: Document = {};
  const $setOnInsert: Document = {};
  for (const [field, value] of Object.entries(update.set ?? {})) {
    if (field === '_id') {
      if (value !== id) throw new TypeError('_id cannot be changed');
      continue;
    }
    fieldSegments(field);
    if (value !== undefined) $set[field] = copy(value);
    else $unset[field] = '';
  }
  for (const [field, delta] of Object.entries(update.inc ?? {})) {
    assertNotId(field);
    fieldSegments(field);
    if (typeof delta !== 'number' || !Number.isFinite(delta)) throw new TypeError(`inc "${field}" needs a finite number`);
    $inc[field] = delta;
  }
  for (const field of update.unset ?? []) {
    assertNotId(field);
    fieldSegments(field);
    $unset[field] = '';
  }
  for (const [field, value] of Object.entries(update.setOnInsert ?? {})) {
    if (field === '_id' || field in $set || field in $unset) continue; // set wins, as in the SQLite store
    fieldSegments(field);
    if (value !== undefined) $setOnInsert[field] = copy(value);
  }
  const filter: Document = { _id: id };
  if (guard) {
    if (!Number.isFinite(guard.below)) throw new TypeError('guard.below must be a finite number');
    fieldSegments(guard.field);
    assertNotId(guard.field);
    filter.$or = [{ [guard.field]: { $exists: false } }, { [guard.field]: null }, { [guard.field]: { $lt: guard.below } }];
    $set[guard.field] = guard.below;
  }
  const out: Document = {};
  if (Object.keys($set).length > 0) out.$set = $set;
  if (Object.keys($inc).length > 0) out.$inc = $inc;
  if (Object.keys($unset).length > 0) out.$unset = $unset;
  if (Object.keys($setOnInsert).length > 0) out.$setOnInsert = $setOnInsert;
  // an empty update still creates the document, as in the SQLite store
  if (Object.keys(out).length === 0) out.$setOnInsert = { _id: id };
  return { filter, update: out };
}

function assertId(id: string): void {
  if (typeof id !== 'string' || id === '') throw new TypeError('a document id must be a non-empty string');
}

function assertNotId(field: string): void {
  if (field === '_id' || field.startsWith('_id.')) throw new TypeError('_id cannot be changed');
}

/** A JSON copy: what is stored is exactly what a later read returns (no undefined, no class instances). */
/** The guard's test, as the `$or` filter of toUpdateOne states it: missing, null, or a number below `below`. */
function guardPasses(value: unknown, below: number): boolean {
  return value === undefined || value === null || (typeof value === 'number' && value < below);
}

function fieldValue(doc: Document, path: string): unknown {
  let v: unknown = doc;
  for (const segment of fieldSegments(path)) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[segment] : undefined;
  return v;
}

/** A shallow copy of doc with `path` set to value (the guard field of a later op in the same batch). */
function withField(doc: Document, path: string, value: number): Document {
  const segments = fieldSegments(path);
  const out: Document = { ...doc };
  let at: Record<string, unknown> = out;
  segments.forEach((segment, i) => {
    if (i === segments.length - 1) at[segment] = value;
    else {
      const next = at[segment];
      at = at[segment] = typeof next === 'object' && next !== null ? { ...(next as Record<string, unknown>) } : {};
    }
  });
  return out;
}

function copy<V>(value: V): V {
  return JSON.parse(JSON.stringify(value)) as V;
}

