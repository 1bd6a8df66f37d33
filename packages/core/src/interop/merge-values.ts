import type { DataValue } from '../report/events';
import type { ImportCount } from './import-summary';

/**
 * How imported values meet a report that already exists:
 * - merge: DHIS2's CREATE_AND_UPDATE / UPDATE: the file's values replace or add to the report's, others stay;
 * - replace: a whole form (an XLSX sheet): the report becomes exactly the file's values;
 * - delete: DHIS2's DELETE: the file's values are removed from the report.
 */
export type MergeMode = 'merge' | 'replace' | 'delete';

export interface MergePlan {
  /** the report's values after the import */
  values: DataValue[];
  /** per value: imported (new), updated (changed), ignored (unchanged), deleted */
  counts: ImportCount;
  /** false when the report would not change: nothing to append */
  changed: boolean;
}

const keyOf = (v: Pick<DataValue, 'dataElement' | 'optionCombo'>): string => `${v.dataElement}.${v.optionCombo ?? ''}`;

const sameValue = (a: DataValue, b: DataValue): boolean => a.value === b.value && (a.comment ?? '') === (b.comment ?? '');

/** Plans the values of a report after an import; `existing` is null when the report has none yet. */
export function mergeValues(existing: readonly DataValue[] | null, incoming: readonly DataValue[], mode: MergeMode): MergePlan {
  const counts: ImportCount = { imported: 0, updated: 0, ignored: 0, deleted: 0 };
  const before = new Map((existing ?? []).map((v) => [keyOf(v), v]));
  if (mode === 'delete') {
    const after = new Map(before);
    for (const v of incoming) {
      if (after.delete(keyOf(v))) counts.deleted += 1;
      else counts.ignored += 1;
    }
    return { values: [...after.values()], counts, changed: counts.deleted > 0 };
  }
  const after = mode === 'merge' ? new Map(before) : new Map<string, DataValue>();
  for (const v of incoming) {
    const old = before.get(keyOf(v));
    if (!old) counts.imported += 1;
    else if (sameValue(old, v)) counts.ignored += 1;
    else counts.updated += 1;
    after.set(keyOf(v), v);
  }
  if (mode === 'replace') for (const k of before.keys()) if (!after.has(k)) counts.deleted += 1;
  const changed = counts.imported + counts.updated + counts.deleted > 0;
  return { values: [...after.values()], counts, changed };
}
