import type { AnyBulkWriteOperation, Document, Collection as MongoCollection } from 'mongodb';
import type { CounterCollection, CounterShare, CounterWrite, Filter, FindOptions, Scalar } from '../port';
import { assertWrite } from '../sqlite/sqlite-counter-collection';
import { onlyDuplicateKeys, writeErrorsOf, type MongoDialect } from '@tally/mongo';

/**
 * A counter collection on MongoDB / FerretDB: one document per share, `{ _id, ...fields, applied, counters }`,
 * with the counter names escaped into field names (`.` and `$` are not allowed in them). A batch of writes is one
 * unordered `insertMany` of the shares this process has not seen yet (most are new: on FerretDB an insert costs a
 * third of an upsert), then one bulk write of `{ _id }`-filtered upserts with `$inc` / `$set` / `$unset` for the
 * others and for those whose insert found them existing (unordered when every share appears once):
 * the guards are checked on the `applied` positions read by `_id` just before, which is exact because each share
 * has one guarded writer at a time (a partition's consumer, or the hierarchy mover). No transaction: a crash can
 * leave a batch half written, and the guard then skips the shares already written when it is redelivered.
 */
export class MongoCounterCollection implements CounterCollection {
  constructor(
    private readonly coll: MongoCollection<Document>,
    readonly name: string,
    private readonly assertOpen: () => void,
    private readonly dialect: MongoDialect,
  ) {}

  async getMany(ids: string[]): Promise<CounterShare[]> {
    const docs = await this.byIds(ids);
    return [...new Set(ids)].flatMap((id) => {
      const d = docs.get(id);
      return d ? [shareOf(d)] : [];
    });
  }

  async appliedOf(ids: string[]): Promise<Map<string, number>> {
    const docs = await this.byIds(ids, { applied: 1 });
    return new Map(ids.map((id) => [id, Number(docs.get(id)?.applied ?? 0)]));
  }

  async find(filter: Filter, options?: Pick<FindOptions, 'limit'>): Promise<CounterShare[]> {
    this.assertOpen();
    const query: Document = {};
    for (const [field, value] of Object.entries(filter)) {
      if (field.startsWith('$') || field === 'counters') throw new TypeError(`invalid filter field "${field}"`);
      const ok = value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
      if (!ok) throw new TypeError(`filter "${field}": only string, number, boolean or null equality is supported`);
      query[field] = value === null ? null : { $eq: value };
    }
    const limit = options?.limit ?? 0;
    if (!Number.isSafeInteger(limit) || limit < 0) throw new TypeError('limit must be a non-negative integer');
    return (await this.coll.find(query).sort({ _id: 1 }).limit(limit).toArray()).map(shareOf);
  }

  async write(writes: CounterWrite[], known?: Map<string, number>): Promise<number> {
    this.assertOpen();
    for (const w of writes) assertWrite(w);
    for (const w of writes) if (w.fields && 'counters' in w.fields) throw new TypeError('invalid share field "counters"');
    const guarded = writes.filter((w) => w.guard !== undefined && !known?.has(w.id)).map((w) => w.id);
    const applied = new Map(known);
    if (guarded.length > 0) for (const [id, at] of await this.appliedOf(guarded)) applied.set(id, at);
    const due: CounterWrite[] = [];
    for (const w of writes) {
      if (w.guard !== undefined) {
        if ((applied.get(w.id) ?? 0) >= w.guard) continue;
        applied.set(w.id, w.guard); // a later write of the same share in this batch sees this one
      }
      due.push(w);
    }
    if (due.length === 0) return 0;
    const once = new Map<string, number>();
    for (const w of due) once.set(w.id, (once.get(w.id) ?? 0) + 1);
    // a share not seen yet is inserted whole (a new share is the common case: a report's commune and district);
    // the ones that exist already fail with a duplicate key and are updated like the others
    const fresh = new Set(due.filter((w) => once.get(w.id) === 1 && !this.existing.has(w.id)));
    const existed = new Set(await this.insertNew([...fresh]));
    const updates = due.filter((w) => !fresh.has(w) || existed.has(w.id));
    if (updates.length > 0) {
      // several writes of one share must apply in order; otherwise unordered (the server may apply them in parallel)
      const ordered = new Set(updates.map((w) => w.id)).size !== updates.length;
      await this.coll.bulkWrite(updates.map(upsertOf), { ordered });
    }
    this.remember(due.map((w) => w.id));
    return due.length;
  }

  /** Inserts each write as a new share; returns the ids that existed already (nothing written to them). */
  private async insertNew(writes: CounterWrite[]): Promise<string[]> {
    if (writes.length === 0) return [];
    try {
      await this.coll.insertMany(writes.map(newShareOf), { ordered: false });
      return [];
    } catch (error) {
      // unordered: every other document was inserted, and each failure names its document's index (FerretDB 1.24
      // too, checked; its counts in a failed bulk write's result are zero, so they are not used). Only duplicate keys
      // are expected: anything else fails the write, and the guards skip what was written when it is applied again
      if (!onlyDuplicateKeys(error)) throw error;
      return writeErrorsOf(error).map((f) => writes[f.index]!.id);
    }
  }

  /** Shares known to exist (a hint only: a wrong one costs a failed insert, or an upsert that inserts). */
  private readonly existing = new Set<string>();

  private remember(ids: Iterable<string>): void {
    if (this.existing.size > MAX_REMEMBERED) this.existing.clear();
    for (const id of ids) this.existing.add(id);
  }

  async ensureIndex(fields: string[]): Promise<void> {
    this.assertOpen();
    if (fields.length === 0) throw new TypeError('ensureIndex needs at least one field');
    if (this.dialect === 'ferretdb') return; // FerretDB on SQLite scans for any filter but _id: nothing to gain
    await this.coll.createIndex(Object.fromEntries(fields.map((f) => [f, 1])), { name: `ix_${fields.join('__')}` });
  }

  private async byIds(ids: string[], projection?: Document): Promise<Map<string, Document>> {
    this.assertOpen();
    const unique = [...new Set(ids)];
    for (const id of unique) if (typeof id !== 'string' || id === '') throw new TypeError('ids must be non-empty strings');
    if (unique.length === 0) return new Map();
    const options = projection ? { projection } : {};
    const docs =
      this.dialect === 'ferretdb'
        ? (await Promise.all(unique.map((id) => this.coll.findOne({ _id: id as never }, options)))).filter((d) => d !== null)
        : await this.coll.find({ _id: { $in: unique as never[] } }, options).toArray();
    const found = new Map(docs.map((d) => [String(d._id), d]));
    this.remember(found.keys());
    return found;
  }
}

/** How many share ids a collection remembers as existing before it starts again (about 100 bytes each). */
const MAX_REMEMBERED = 200_000;

/** An existing share's write: `{ _id }`-filtered upsert with `$inc` / `$set` / `$unset` (guard checked before). */
function upsertOf(w: CounterWrite): AnyBulkWriteOperation<Document> {
  const $set: Document = { ...w.fields };
  if (w.guard !== undefined) $set.applied = w.guard;
  for (const [k, v] of Object.entries(w.set ?? {})) $set[`counters.${escapeKey(k)}`] = v;
  const $inc: Document = {};
  for (const [k, v] of Object.entries(addedBy(w))) $inc[`counters.${k}`] = v;
  const $unset: Document = {};
  for (const k of w.remove ?? []) $unset[`counters.${escapeKey(k)}`] = '';
  const update: Document = { $setOnInsert: { ...(w.guard === undefined ? { applied: 0 } : {}) } };
  if (Object.keys($set).length > 0) update.$set = $set;
  if (Object.keys($inc).length > 0) update.$inc = $inc;
  if (Object.keys($unset).length > 0) update.$unset = $unset;
  if (Object.keys(update.$setOnInsert as Document).length === 0) delete update.$setOnInsert;
  if (Object.keys(update).length === 0) update.$set = { _id: w.id };
  return { updateOne: { filter: { _id: w.id as never }, update, upsert: true } };
}

/** The document `upsertOf(w)` would create where there is none. */
function newShareOf(w: CounterWrite): Document {
  const counters: Record<string, number> = addedBy(w);
  for (const [k, v] of Object.entries(w.set ?? {})) counters[escapeKey(k)] = v;
  for (const k of w.remove ?? []) delete counters[escapeKey(k)];
  return { ...w.fields, _id: w.id, applied: w.guard ?? 0, counters };
}

/** `add` and every record of `addAll`, summed per (escaped) counter name. */
function addedBy(w: CounterWrite): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const add of [w.add ?? {}, ...(w.addAll ?? [])]) {
    for (const [k, v] of Object.entries(add)) {
      const name = escapeKey(k);
      sums[name] = (sums[name] ?? 0) + v;
    }
  }
  return sums;
}

/** Counter names are opaque keys: `%`, `.` and a leading `$` are escaped into a valid field name. */
const escapeKey = (k: string): string => k.replace(/%/g, '%25').replace(/\./g, '%2E').replace(/^\$/, '%24');
const UNESCAPED: Record<string, string> = { '%25': '%', '%2E': '.', '%24': '$' };
const unescapeKey = (k: string): string => k.replace(/%(25|2E|24)/g, (m) => UNESCAPED[m]!);

function shareOf(d: Document): CounterShare {
  const { _id, applied, counters, ...fields } = d;
  return {
    _id: String(_id),
    fields: fields as Record<string, Scalar>,
    applied: Number(applied ?? 0),
    counters: Object.fromEntries(Object.entries((counters ?? {}) as Record<string, number>).map(([k, v]) => [unescapeKey(k), Number(v)])),
  };
}
