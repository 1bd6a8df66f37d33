import type { Collection, Doc, Filter, FindOptions, Guard, Update } from '../port';
import { applyUpdate } from './apply-update';
import { orderLimitClause, whereClause, type SqlParam } from './filter-sql';
import { fieldSql, quoteIdent } from './paths';

/** What a collection needs from its store: cached statements on an existing table, and transactions. */
export interface CollectionHost {
  /** creates the collection's table if needed and returns its quoted name */
  table(collection: string): string;
  all(sql: string, params: SqlParam[]): Array<Record<string, unknown>>;
  run(sql: string, params: SqlParam[]): void;
  /**
   * runs fn at once in a transaction holding the write lock (taken before the read of read-modify-write), shared
   * with the other writes of this turn: durable once the store's flush() resolves
   */
  inGroup<R>(fn: () => R): R;
}

type UpdateOp = { id: string; update: Update; guard?: Guard };

export class SqliteCollection<T extends Doc = Doc> implements Collection<T> {
  constructor(
    private readonly host: CollectionHost,
    readonly name: string,
  ) {}

  async get(id: string): Promise<T | null> {
    return this.getSync(id);
  }

  async getMany(ids: string[]): Promise<T[]> {
    const t = this.host.table(this.name);
    const rows = this.host.all(`SELECT doc FROM ${t} WHERE id IN (SELECT value FROM json_each(?))`, [JSON.stringify(ids)]);
    const byId = new Map(rows.map((r) => parse<T>(r.doc)).map((d) => [d._id, d]));
    return [...new Set(ids)].flatMap((id) => byId.get(id) ?? []);
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    const t = this.host.table(this.name);
    const where = whereClause(filter);
    const tail = orderLimitClause(options);
    return this.host.all(`SELECT doc FROM ${t} ${where.sql} ${tail.sql}`, [...where.params, ...tail.params]).map((r) => parse<T>(r.doc));
  }

  async count(filter: Filter): Promise<number> {
    const t = this.host.table(this.name);
    const where = whereClause(filter);
    return Number(this.host.all(`SELECT COUNT(*) AS n FROM ${t} ${where.sql}`, where.params)[0]?.n ?? 0);
  }

  async put(doc: T): Promise<void> {
    if (typeof doc?._id !== 'string' || doc._id === '') throw new TypeError('a document needs a string _id');
    this.host.inGroup(() => this.write(doc));
  }

  async update(id: string, update: Update, guard?: Guard): Promise<boolean> {
    return this.host.inGroup(() => this.updateSync({ id, update, guard }));
  }

  // `read` is for adapters that check guards on documents read first: here the guard is checked in the transaction
  async updateMany(ops: UpdateOp[], _read?: ReadonlyMap<string, T | null>): Promise<number> {
    return this.host.inGroup(() => ops.filter((op) => this.updateSync(op)).length);
  }

  async delete(id: string): Promise<void> {
    const t = this.host.table(this.name);
    this.host.inGroup(() => this.host.run(`DELETE FROM ${t} WHERE id = ?`, [id]));
  }

  async ensureIndex(fields: string[]): Promise<void> {
    if (fields.length === 0) throw new TypeError('ensureIndex needs at least one field');
    const t = this.host.table(this.name);
    const exprs = fields.map(fieldSql); // validates every field
    const index = quoteIdent(`ix_${this.name}__${fields.join('__')}`);
    this.host.run(`CREATE INDEX IF NOT EXISTS ${index} ON ${t} (${exprs.join(', ')})`, []);
  }

  private getSync(id: string): T | null {
    const row = this.host.all(`SELECT doc FROM ${this.host.table(this.name)} WHERE id = ?`, [id])[0];
    return row ? parse<T>(row.doc) : null;
  }

  private updateSync({ id, update, guard }: UpdateOp): boolean {
    if (typeof id !== 'string' || id === '') throw new TypeError('update needs a string id');
    const next = applyUpdate(this.getSync(id), id, update, guard);
    if (next === null) return false;
    this.write(next);
    return true;
  }

  private write(doc: Doc): void {
    this.host.run(`INSERT OR REPLACE INTO ${this.host.table(this.name)} (id, doc) VALUES (?, ?)`, [doc._id, JSON.stringify(doc)]);
  }
}

function parse<T>(doc: unknown): T {
  return JSON.parse(doc as string) as T;
}
