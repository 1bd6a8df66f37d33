import { createHash } from 'node:crypto';
import type { CounterCollection, CounterShare, CounterWrite, Filter, FindOptions, Scalar } from '../port';
import { orderLimitClause, whereClause, type SqlParam } from './filter-sql';
import { fieldSegments, fieldSql, quoteIdent } from './paths';

/** What a counter collection needs from its store: its table, cached statements, transactions. */
export interface CounterHost {
  /** creates the counter table if needed and returns its quoted name */
  counterTable(collection: string): string;
  /** the table of counter name lists stored by reference (see SqliteCounterCollection), created if needed */
  keySetTable(): string;
  /** references of the name lists known to be in keySetTable (forgotten when the store drops its tables) */
  readonly storedKeySets: Set<string>;
  all(sql: string, params: SqlParam[]): Array<Record<string, unknown>>;
  run(sql: string, params: SqlParam[]): void;
  /** as CollectionHost.inGroup */
  inGroup<R>(fn: () => R): R;
}

/**
 * One row per share: `(id, doc, applied, keys, vals)`, `doc` the scalar fields as JSON (so the read store's
 * equality filters and indexes apply to it unchanged), `keys` the counter names, `vals` their values as one little
 * blob of float64s in the same order. A list of names written again and again (every share of the same report
 * shape has the same few hundred) is stored once in the key-set table and `keys` holds `#<its hash>`; a list seen
 * once (MIN/MAX contributors change a share's names on every write) is kept in the row as a JSON array, as rows
 * written before the key-set table existed are. A batch of writes is one savepoint of the store's group commit; each
 * share is read, added to in memory and written back once. The names of a share rarely change (the same report
 * shape keeps adding to the same counters), so their parsed index is cached by the text: adding to a share costs
 * no JSON parsing or printing of its counters. A rowid table, not WITHOUT ROWID: a national share holds a few
 * hundred counters, and large rows belong in a table b-tree.
 *
 * Why not one row per (share, counter) with `INSERT ... ON CONFLICT DO UPDATE SET value = value + excluded.value`:
 * measured on this machine (better-sqlite3 12, WAL, 24 shares x 240 counters per report event, as the bench's
 * 100-value reports), one row per counter cost 9.8 CPU-ms per event, the same rows through one `json_each`
 * statement per share 4.2 ms; one JSON row per share 3.7 ms (WITHOUT ROWID) or 2.9 ms (rowid); this layout
 * 1.5 ms (docs/performance.md). Most shares a batch touches are new (a commune's, a district's), and a new row per
 * counter is what costs.
 */
export class SqliteCounterCollection implements CounterCollection {
  constructor(
    private readonly host: CounterHost,
    readonly name: string,
  ) {}

  async getMany(ids: string[]): Promise<CounterShare[]> {
    const rows = this.rowsOf(ids, 'id, doc, applied, keys, vals');
    const byId = new Map(rows.map((r) => [r.id as string, this.shareOf(r)]));
    return [...new Set(ids)].flatMap((id) => byId.get(id) ?? []);
  }

  async appliedOf(ids: string[]): Promise<Map<string, number>> {
    const out = new Map(ids.map((id) => [id, 0]));
    for (const r of this.rowsOf(ids, 'id, applied')) out.set(r.id as string, Number(r.applied));
    return out;
  }

  async find(filter: Filter, options?: Pick<FindOptions, 'limit'>): Promise<CounterShare[]> {
    const where = whereClause(filter);
    const order = orderLimitClause({ limit: options?.limit });
    const sql = `SELECT id, doc, applied, keys, vals FROM ${this.host.counterTable(this.name)} ${where.sql} ${order.sql}`;
    return this.host.all(sql, [...where.params, ...order.params]).map((r) => this.shareOf(r));
  }

  async write(writes: CounterWrite[]): Promise<number> {
    const records = new RecordCache();
    for (const w of writes) assertWrite(w, records);
    if (writes.length === 0) return 0;
    const t = this.host.counterTable(this.name);
    const select = `SELECT doc, applied, keys, vals FROM ${t} WHERE id = ?`;
    const upsert = `INSERT INTO ${t} (id, doc, applied, keys, vals) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET doc = excluded.doc, applied = excluded.applied, keys = excluded.keys, vals = excluded.vals`;
    const storedNow: string[] = [];
    try {
      return this.host.inGroup(() => {
        let applied = 0;
        for (const w of writes) {
          const row = this.host.all(select, [w.id])[0];
          const at = row ? Number(row.applied) : 0;
          if (w.guard !== undefined && at >= w.guard) continue;
          const fields = row ? (JSON.parse(row.doc as string) as Record<string, Scalar>) : {};
          Object.assign(fields, w.fields);
          const next = addToPacked(row ? this.unpack(row) : EMPTY, w, records);
          const keys = this.keysColumn(next.keys, storedNow);
          this.host.run(upsert, [w.id, JSON.stringify(fields), w.guard ?? at, keys, Buffer.from(next.vals.buffer, next.vals.byteOffset, next.vals.byteLength)]);
          applied++;
        }
        return applied;
      });
    } catch (error) {
      // the write's savepoint is undone, the key sets it stored with it
      for (const ref of storedNow) this.host.storedKeySets.delete(ref);
      throw error;
    }
  }

  /** What a row's `keys` holds for a key set: a reference once the list is written a second time (see the class). */
  private keysColumn(ks: KeySet, storedNow: string[]): string {
    if (++ks.writes < 2 && ks.ref === undefined) return ks.text;
    ks.ref ??= refOf(ks.text);
    if (!this.host.storedKeySets.has(ks.ref)) {
      this.host.run(`INSERT OR IGNORE INTO ${this.host.keySetTable()} (id, names) VALUES (?, ?)`, [ks.ref, ks.text]);
      this.host.storedKeySets.add(ks.ref);
      storedNow.push(ks.ref);
    }
    return `#${ks.ref}`;
  }

  private unpack(row: Record<string, unknown>): Packed {
    const blob = row.vals as Buffer;
    const vals = new Float64Array(blob.length / 8);
    new Uint8Array(vals.buffer).set(blob); // a copy: the blob's offset need not be 8-aligned
    return { keys: this.keySetIn(row.keys as string), vals };
  }

  private keySetIn(column: string): KeySet {
    if (!column.startsWith('#')) return keySetOf(column);
    const ref = column.slice(1);
    const cached = keySetsByRef.get(ref);
    if (cached) return cached;
    const names = this.host.all(`SELECT names FROM ${this.host.keySetTable()} WHERE id = ?`, [ref])[0]?.names;
    if (typeof names !== 'string') throw new Error(`counter names ${ref} are missing from the key-set table`);
    const ks = keySetOf(names);
    ks.ref = ref;
    keySetsByRef.set(ref, ks);
    this.host.storedKeySets.add(ref);
    return ks;
  }

  private shareOf(r: Record<string, unknown>): CounterShare {
    const p = this.unpack(r);
    const counters: Record<string, number> = {};
    p.keys.names.forEach((k, i) => (counters[k] = p.vals[i]!));
    return { _id: r.id as string, fields: JSON.parse(r.doc as string) as Record<string, Scalar>, applied: Number(r.applied), counters };
  }

  async ensureIndex(fields: string[]): Promise<void> {
    if (fields.length === 0) throw new TypeError('ensureIndex needs at least one field');
    const t = this.host.counterTable(this.name);
    const index = quoteIdent(`ix_${this.name}__${fields.join('__')}`);
    this.host.run(`CREATE INDEX IF NOT EXISTS ${index} ON ${t} (${fields.map(fieldSql).join(', ')})`, []);
  }

  private rowsOf(ids: string[], columns: string): Array<Record<string, unknown>> {
    if (ids.length === 0) return [];
    return this.host.all(`SELECT ${columns} FROM ${this.host.counterTable(this.name)} WHERE id IN (SELECT value FROM json_each(?))`, [JSON.stringify(ids)]);
  }
}

/** A share's counter names, parsed once per distinct text. */
interface KeySet {
  text: string;
  names: string[];
  index: Map<string, number>;
  /**
   * where each name of a record (by its shape's id) sits in this set, for records whose names are all in it: the
   * same report shape adds the same names to the same shares, report after report
   */
  slots: Map<number, Int32Array>;
  /** rows written with this list (by this process): the second one stores it by reference */
  writes: number;
  /** its hash, once it is stored by reference (a field from the start: a key set keeps one hidden class) */
  ref: string | undefined;
}

/** records of different names a key set remembers the slots of (a few report shapes reach one share) */
const SLOTS_PER_KEYSET = 16;

const KEYSET_CACHE_SIZE = 2_000;
const keySets = new Map<string, KeySet>();
const keySetsByRef = new Map<string, KeySet>();

function keySetOf(text: string, names?: string[]): KeySet {
  let ks = keySets.get(text);
  if (!ks) {
    const list = names ?? (JSON.parse(text) as string[]);
    ks = { text, names: list, index: new Map(list.map((k, i) => [k, i])), slots: new Map(), writes: 0, ref: undefined };
    if (keySets.size >= KEYSET_CACHE_SIZE) {
      // shares with one-off names (MIN/MAX contributors)
      keySets.clear();
      keySetsByRef.clear();
    }
    keySets.set(text, ks);
  }
  return ks;
}

/** A name list's reference: its hash (content-addressed, so any store holding the reference holds these names). */
const refOf = (text: string): string => createHash('sha256').update(text).digest('base64url').slice(0, 22);

interface Packed {
  keys: KeySet;
  vals: Float64Array;
}

const EMPTY: Packed = { keys: keySetOf('[]', []), vals: new Float64Array(0) };

/**
 * A record of counters (`add`, each of `addAll`) as two arrays, enumerated once per `write` call however many
 * shares add it (a report's delta goes to every share of its path: enumerating a few hundred keys of an object
 * is what cost), and the checks it passed. Per call: a caller may change its records between calls.
 */
class RecordCache {
  private readonly entries = new Map<Record<string, number>, RecordEntries>();
  private readonly checked = new Set<object>();

  of(record: Record<string, number>): RecordEntries {
    let e = this.entries.get(record);
    if (!e) {
      const names: string[] = [];
      const values: number[] = [];
      for (const k in record) {
        names.push(k);
        values.push(record[k]!);
      }
      this.entries.set(record, (e = { values, shape: shapeOf(names) }));
    }
    return e;
  }

  /** false the first time a record is seen in this call (to be checked), true after */
  seen(record: object): boolean {
    if (this.checked.has(record)) return true;
    this.checked.add(record);
    return false;
  }
}

interface RecordEntries {
  values: number[];
  shape: Shape;
}

/**
 * A list of counter names as records carry them (in order), known by a number that is never reused. The records
 * of one report shape have the same names event after event: recognising the list by comparing names (each an
 * interned string, most compared by identity) is cheaper than printing and hashing it for every record.
 */
interface Shape {
  id: number;
  names: string[];
  /** the names as JSON, printed once: the text of the key set of a share that takes this record alone */
  text: string;
  /** the key set of a new share that takes this record alone (a field from the start, as KeySet.ref) */
  alone: KeySet | undefined;
}

const SHAPE_CACHE_SIZE = 4_000;
/** shapes by a fingerprint of their names (how many, the first, middle and last), a few per fingerprint */
const shapesByFingerprint = new Map<string, Shape[]>();
const SHAPES_PER_FINGERPRINT = 8;
let shapeCount = 0;
let nextShape = 0;

function shapeOf(names: string[]): Shape {
  const n = names.length;
  const fingerprint = n === 0 ? '' : `${n}\u0000${names[0]}\u0000${names[n >> 1]}\u0000${names[n - 1]}`;
  let candidates = shapesByFingerprint.get(fingerprint);
  if (candidates) for (const s of candidates) if (sameNames(s.names, names)) return s;
  if (shapeCount >= SHAPE_CACHE_SIZE) {
    // shares with one-off names (MIN/MAX contributors)
    shapesByFingerprint.clear();
    newShareLayouts.clear();
    shapeCount = 0;
    candidates = undefined;
  }
  const shape: Shape = { id: nextShape++, names, text: JSON.stringify(names), alone: undefined };
  // `[shape]`, not `[]` and a push: an empty literal starts with another element kind (see entriesOf)
  if (!candidates) shapesByFingerprint.set(fingerprint, [shape]);
  else {
    if (candidates.length >= SHAPES_PER_FINGERPRINT) candidates.shift();
    candidates.push(shape);
  }
  shapeCount++;
  return shape;
}

function sameNames(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The slots of a record in a key set it is known to fit, remembered for the next write of the same shape. */
function rememberSlots(ks: KeySet, shape: Shape, at: Int32Array): void {
  if (ks.slots.has(shape.id)) return;
  if (ks.slots.size >= SLOTS_PER_KEYSET) ks.slots.clear();
  ks.slots.set(shape.id, at);
}

/**
 * Where the records of a combination sit in the share a new share becomes when it takes them (and nothing else):
 * the key set, and for each record the slot of each of its names. Every new commune and district share of the
 * same report shape takes the same combination (the report's delta, its own counters), so the key set is built,
 * printed and hashed once instead of once per new share.
 */
interface NewShareLayout {
  keys: KeySet;
  slots: Int32Array[];
}

/** layouts by the shapes of their records, `3,17,4,` (cleared with the shapes) */
const newShareLayouts = new Map<string, NewShareLayout>();

function newShareLayoutOf(entries: RecordEntries[]): NewShareLayout {
  let key = '';
  for (const e of entries) key += `${e.shape.id},`;
  let layout = newShareLayouts.get(key);
  if (!layout) {
    const names: string[] = [];
    const index = new Map<string, number>();
    const slots: Int32Array[] = [];
    for (const e of entries) {
      const at = new Int32Array(e.shape.names.length);
      e.shape.names.forEach((name, j) => {
        let i = index.get(name);
        if (i === undefined) index.set(name, (i = names.push(name) - 1));
        at[j] = i;
      });
      slots.push(at);
    }
    layout = { keys: keySetOf(JSON.stringify(names), names), slots };
    newShareLayouts.set(key, layout);
  }
  return layout;
}

/** A new share taking several records and nothing else: their sums, placed by the combination's layout. */
function newShareOf(entries: RecordEntries[]): Packed {
  const layout = newShareLayoutOf(entries);
  const vals = new Float64Array(layout.keys.names.length);
  for (let j = 0; j < entries.length; j++) {
    const at = layout.slots[j]!;
    const values = entries[j]!.values;
    for (let i = 0; i < at.length; i++) vals[at[i]!]! += values[i]!;
    rememberSlots(layout.keys, entries[j]!.shape, at);
  }
  return { keys: layout.keys, vals };
}

/** A new share taking one record and nothing else: its names are the record's, in order. */
function aloneShareOf(e: RecordEntries): Packed {
  if (!e.shape.alone) {
    const ks = keySetOf(e.shape.text, e.shape.names);
    rememberSlots(ks, e.shape, Int32Array.from(e.shape.names, (_, i) => i));
    e.shape.alone = ks;
  }
  return { keys: e.shape.alone, vals: Float64Array.from(e.values) };
}

/** One write's counters applied to a packed share: new names are appended, removed ones dropped. */
function addToPacked(p: Packed, w: CounterWrite, records: RecordCache): Packed {
  const adds: Array<Record<string, number>> = [];
  if (w.add) adds.push(w.add);
  if (w.addAll) for (const a of w.addAll) adds.push(a);
  // most new shares take only records (the rollup passes an empty `set` and `remove` to most shares)
  const onlyAdds = isEmpty(w.set) && !w.remove?.length;
  if (p === EMPTY && adds.length === 1 && onlyAdds) return aloneShareOf(records.of(adds[0]!));
  if (p === EMPTY && adds.length > 1 && onlyAdds) return newShareOf(entriesOf(adds, records));
  let names: string[] | null = null;
  let index = p.keys.index;
  let vals = p.vals;
  const slot = (k: string): number => {
    let i = index.get(k);
    if (i === undefined) {
      if (!names) {
        names = [...p.keys.names];
        index = new Map(index);
      }
      i = names.length;
      names.push(k);
      index.set(k, i);
      if (i >= vals.length) {
        const grown = new Float64Array(Math.max(8, vals.length * 2, i + 1));
        grown.set(vals);
        vals = grown;
      }
    }
    return i;
  };
  if (vals === p.vals) vals = vals.slice();
  // the slot first: a new name can grow (replace) `vals`
  for (const add of adds) {
    const e = records.of(add);
    // the usual case: names seen on this key set before, where they sit is known
    const known = names ? undefined : p.keys.slots.get(e.shape.id);
    if (known) {
      for (let j = 0; j < known.length; j++) vals[known[j]!]! += e.values[j]!;
      continue;
    }
    const recordNames = e.shape.names;
    const at = new Int32Array(recordNames.length);
    for (let j = 0; j < recordNames.length; j++) {
      const i = slot(recordNames[j]!);
      at[j] = i;
      vals[i]! += e.values[j]!;
    }
    // every name was already in the set: remember where they sit
    if (!names) rememberSlots(p.keys, e.shape, at);
  }
  for (const k in w.set) {
    const i = slot(k);
    vals[i] = w.set[k]!;
  }
  const size = (names ?? p.keys.names).length;
  if (w.remove && w.remove.some((k) => index.has(k))) {
    const gone = new Set(w.remove);
    const current: string[] = names ?? p.keys.names;
    const kept = current.map((k, i) => [k, i] as const).filter(([k]) => !gone.has(k));
    const list = kept.map(([k]) => k);
    return { keys: keySetOf(JSON.stringify(list), list), vals: Float64Array.from(kept, ([, i]) => vals[i]!) };
  }
  if (!names) return { keys: p.keys, vals: vals.length === size ? vals : vals.slice(0, size) };
  const list: string[] = names;
  return { keys: keySetOf(JSON.stringify(list), list), vals: vals.slice(0, size) };
}

/** A loop, not `adds.map`: one element kind for the array newShareOf reads (see shareIdsOf in the rollup). */
function entriesOf(adds: Array<Record<string, number>>, records: RecordCache): RecordEntries[] {
  const entries: RecordEntries[] = [];
  for (const a of adds) entries.push(records.of(a));
  return entries;
}

function isEmpty(record: Record<string, number> | undefined): boolean {
  for (const _ in record) return false;
  return true;
}

const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);
/** share field names already checked (a handful, written on every share) */
const validFields = new Set<string>();

/**
 * Refuses what a store cannot keep faithfully: non-string ids, non-finite numbers, objects as fields. `records`:
 * the counter records already checked in this call are not checked again (they are shared by many writes).
 */
export function assertWrite(w: CounterWrite, records?: { seen(record: object): boolean }): void {
  if (typeof w.id !== 'string' || w.id === '') throw new TypeError('a counter write needs a string id');
  if (w.guard !== undefined && !Number.isFinite(w.guard)) throw new TypeError('a counter guard must be a finite number');
  for (const k in w.fields) {
    if (!validFields.has(k)) {
      fieldSegments(k);
      if (k.includes('.') || k === '_id' || k === 'applied') throw new TypeError(`invalid share field "${k}"`);
      validFields.add(k);
    }
    const v = w.fields[k];
    if (v !== null && typeof v === 'object') throw new TypeError(`share field "${k}" must be a scalar`);
  }
  if (w.addAll !== undefined && !Array.isArray(w.addAll)) throw new TypeError('addAll must be an array of counter records');
  for (const part of [w.add, w.set, ...(w.addAll ?? [])]) {
    if (part === undefined || records?.seen(part)) continue;
    for (const k in part) {
      const v = part[k];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`counter "${k}" must be a finite number`);
      if (k === '' || FORBIDDEN.has(k)) throw new TypeError(`invalid counter name "${k}"`);
    }
  }
}
