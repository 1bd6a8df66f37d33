import { neutralizeFormula, type CellValue, type DatasetDefinition, type ReleaseCell } from '@tally/core';

/**
 * The columns of a dataset's table (CSV, JSON rows, the Data Package's table schema). A dataset of one level
 * names its unit columns after it (`province_code`, as the template datasets always have); several levels get
 * `org_unit_code`, `org_unit_name` and `level`.
 */
export interface Column {
  name: string;
  type: 'string' | 'number' | 'integer';
  description: string;
}

export function columnsOf(def: Pick<DatasetDefinition, 'levels'>): Column[] {
  const single = def.levels.length === 1 ? def.levels[0]! : null;
  const unit: Column[] = single
    ? [
        { name: `${single}_code`, type: 'string', description: `GSO ${single} code in the hierarchy version` },
        { name: `${single}_name`, type: 'string', description: `official ${single} name (Vietnamese, NFC)` },
      ]
    : [
        { name: 'org_unit_code', type: 'string', description: 'GSO code of the unit in the hierarchy version' },
        { name: 'org_unit_name', type: 'string', description: 'official unit name (Vietnamese, NFC)' },
        { name: 'level', type: 'string', description: 'hierarchy level of the unit' },
      ];
  return [
    ...unit,
    { name: 'hierarchy', type: 'string', description: 'hierarchy version the period is read on' },
    { name: 'period', type: 'string', description: 'DHIS2 period code' },
    { name: 'data_element', type: 'string', description: 'data element code (ELEMENT or ELEMENT.OPTIONCOMBO), or indicator code (see item_type)' },
    { name: 'data_element_name', type: 'string', description: 'data element or indicator name' },
    { name: 'value', type: 'number', description: 'rolled-up value; empty when withheld (see conf_status)' },
    { name: 'conf_status', type: 'string', description: 'SDMX CONF_STATUS: F free, C withheld (small count), D withheld (complementary)' },
    { name: 'revision', type: 'string', description: 'against the previous release: new, revised, or empty (unchanged)' },
    { name: 'item_type', type: 'string', description: 'data_element or indicator' },
  ];
}

/** One row, in the order of columnsOf. */
export function rowOf(def: Pick<DatasetDefinition, 'levels'>, c: ReleaseCell): CellValue[] {
  const unit: CellValue[] = def.levels.length === 1 ? [c.unit, c.unitName] : [c.unit, c.unitName, c.level];
  return [...unit, c.hierarchy, c.period, c.item, c.itemName, c.value, c.conf, c.revision ?? '', c.kind === 'indicator' ? 'indicator' : 'data_element'];
}

/** A row as a JSON object keyed by column name; text formula-safe as in the CSV (JSON rows end up in spreadsheets too). */
export function recordOf(def: Pick<DatasetDefinition, 'levels'>, c: ReleaseCell): Record<string, CellValue> {
  const names = columnsOf(def).map((col) => col.name);
  const values = rowOf(def, c);
  return Object.fromEntries(names.map((n, i) => [n, typeof values[i] === 'string' ? neutralizeFormula(values[i]) : values[i]]));
}
