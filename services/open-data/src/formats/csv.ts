import { toCsv, type DatasetDefinition, type ReleaseCell } from '@tally/core';
import { columnsOf, rowOf } from '../table';

/** The table as RFC 4180 CSV through core's one cell writer (formula-safe); `bom` for Excel. */
export function tableCsv(def: Pick<DatasetDefinition, 'levels'>, cells: readonly ReleaseCell[], bom: boolean): string {
  return toCsv(
    columnsOf(def).map((c) => c.name),
    cells.map((c) => rowOf(def, c)),
    { bom },
  );
}
