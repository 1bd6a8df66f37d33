import type { Doc, Guard, Update } from '../port';
import { getPath, setPath, unsetPath } from './paths';

/**
 * The update semantics, in memory: the adapter reads, applies and writes back inside one transaction.
 * Returns the new document, or null when the guard says the update was already applied. `existing` is the
 * adapter's own fresh copy (just parsed from its row) and is changed in place; the returned document is meant to
 * be serialized at once (it may hold the caller's values by reference, never changed here).
 */
export function applyUpdate(existing: Doc | null, id: string, update: Update, guard?: Guard): Doc | null {
  if (guard) {
    if (!Number.isFinite(guard.below)) throw new TypeError('guard.below must be a finite number');
    if (existing && !guardHolds(getPath(existing, guard.field), guard.below)) return null;
  }
  const doc: Doc = existing ?? { _id: id };
  const within = nestedPaths(update, guard);
  if (!existing) for (const [field, value] of Object.entries(update.setOnInsert ?? {})) setField(doc, field, value, within);
  for (const [field, value] of Object.entries(update.set ?? {})) setField(doc, field, value, within);
  for (const [field, delta] of Object.entries(update.inc ?? {})) {
    assertNotId(field);
    if (typeof delta !== 'number' || !Number.isFinite(delta)) throw new TypeError(`inc "${field}" needs a finite number`);
    const current = getPath(doc, field) ?? 0;
    if (typeof current !== 'number') throw new TypeError(`cannot inc non-numeric field "${field}"`);
    setPath(doc, field, current + delta);
  }
  for (const field of update.unset ?? []) {
    assertNotId(field);
    unsetPath(doc, field);
  }
  if (guard) setPath(doc, guard.field, guard.below);
  return doc;
}

/** Mirrors MongoDB's `{$or: [{f: {$exists: false}}, {f: {$lt: below}}]}` (null counts as missing). */
function guardHolds(current: unknown, below: number): boolean {
  if (current === undefined || current === null) return true;
  return typeof current === 'number' && current < below;
}

/** Every path the update (and its guard) writes to, to tell whether a set value must be copied (setField). */
function nestedPaths(update: Update, guard?: Guard): string[] {
  const paths = [...Object.keys(update.setOnInsert ?? {}), ...Object.keys(update.set ?? {}), ...Object.keys(update.inc ?? {}), ...(update.unset ?? [])];
  if (guard) paths.push(guard.field);
  return paths;
}

function setField(doc: Doc, field: string, value: unknown, paths: string[]): void {
  if (field === '_id') {
    if (value !== doc._id) throw new TypeError('_id cannot be changed');
    return;
  }
  // The document is serialized right after (what is stored is exactly what a later read returns), so an object
  // value is kept by reference, unless another path of the update writes inside it: then a JSON copy, so that
  // the caller's object is never changed.
  const inside = typeof value === 'object' && value !== null && paths.some((p) => p.startsWith(`${field}.`));
  setPath(doc, field, inside ? JSON.parse(JSON.stringify(value)) : value);
}

function assertNotId(field: string): void {
  if (field === '_id' || field.startsWith('_id.')) throw new TypeError('_id cannot be changed');
}
