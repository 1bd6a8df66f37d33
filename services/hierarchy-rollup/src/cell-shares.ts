import type { CounterCollection, CounterShare, CounterWrite, Filter } from '@tally/readstore';
import type { RollupCellDoc } from './rollup-cells';

/**
 * The rollup cell shares on the read store's counter-shaped storage (`ReadStore.counters`): each share's numbers
 * are flat counters named by their place in the cell state (`sums.<key>`, `counts.<key>`, `usums.<key>`,
 * `units.<key>`, `received.<template>`, `onTime.<template>`, `estimates`, `mins.<key>.<contributor>`,
 * `maxs.<key>.<contributor>`), its scalar fields say which cell and partition it is, `applied` is the position
 * of the last event (or hierarchy change) written to it. Reads give the cell document shape the read code merges.
 */
export interface CellShares {
  get(id: string): Promise<RollupCellDoc | null>;
  getMany(ids: string[]): Promise<RollupCellDoc[]>;
  /** `limit`: the first that many in `_id` order (0: all) */
  find(filter: Filter, options?: { limit?: number }): Promise<RollupCellDoc[]>;
  appliedOf(ids: string[]): Promise<Map<string, number>>;
  /** one transaction (SQLite) / one bulk write (MongoDB) for the whole batch of share writes (see CounterCollection) */
  write(writes: CounterWrite[], known?: Map<string, number>): Promise<number>;
  ensureIndex(fields: string[]): Promise<void>;
}

export function cellSharesOf(counters: CounterCollection): CellShares {
  return {
    get: async (id) => (await counters.getMany([id])).map(cellDocOf)[0] ?? null,
    getMany: async (ids) => (await counters.getMany(ids)).map(cellDocOf),
    find: async (filter, options) => (await counters.find(filter, options)).map(cellDocOf),
    appliedOf: (ids) => counters.appliedOf(ids),
    write: (writes, known) => counters.write(writes, known),
    ensureIndex: (fields) => counters.ensureIndex(fields),
  };
}

const NESTED_TWICE = new Set(['mins', 'maxs']);

/** A share as a cell document: `sums.K` → `sums[K]`, `mins.K.c` → `mins[K][c]`, `estimates` → `estimates`. */
export function cellDocOf(share: CounterShare): RollupCellDoc {
  const doc: Record<string, unknown> = { ...share.fields, _id: share._id, applied: share.applied };
  for (const [name, value] of Object.entries(share.counters)) {
    const dot = name.indexOf('.');
    if (dot < 0) {
      doc[name] = value;
      continue;
    }
    const field = name.slice(0, dot);
    const rest = name.slice(dot + 1);
    const group = (doc[field] ??= {}) as Record<string, unknown>;
    const inner = NESTED_TWICE.has(field) ? rest.indexOf('.') : -1;
    if (inner < 0) group[rest] = value;
    else ((group[rest.slice(0, inner)] ??= {}) as Record<string, number>)[rest.slice(inner + 1)] = value;
  }
  return doc as RollupCellDoc;
}
