import type { Catalog } from './types';
import type { CatalogProblem } from './validate-catalog';

/**
 * The catalog as a workbook (docs/catalog.md, "The workbook"): one sheet per list of the JSON format, row 1 the
 * field names, one row per item; nested lists (a category's options, a template's data elements, an index's
 * components) are sheets of their own whose first column names the parent. Pure: the spreadsheet file itself is
 * read and written at the edge (runtime's workbook tables); here are only tables of cells.
 *
 * Reading converts cells no further than the JSON a person would have typed (numbers, booleans, comma lists) and
 * leaves every rule to validateCatalog, whose problems are then located on their sheet, row and column.
 */
export type SheetCell = string | number | boolean | null;
/** a cell as read: a value, or what made it unreadable (an Excel error, a formula with no computed value) */
export type ReadCell = SheetCell | { problem: string };

export interface SheetTable<C = ReadCell> {
  name: string;
  /** rows[0] is the header row (spreadsheet row 1) */
  rows: C[][];
}

export interface CellLocation {
  sheet: string;
  /** 1-based spreadsheet row */
  row?: number;
  /** the column's letter (A, B, ...) */
  column?: string;
  /** the column's field name */
  field?: string;
  /** A1 address */
  cell?: string;
}

export type LocatedProblem = CatalogProblem & Partial<CellLocation>;

type FieldType = 'string' | 'number' | 'boolean' | 'list';

interface ListSheet {
  /** the JSON key of the catalog */
  key: 'categories' | 'categoryCombos' | 'dataElements' | 'indicators' | 'templates' | 'validationRules' | 'compositeIndices';
  fields: Record<string, FieldType>;
}

interface ChildSheet {
  name: string;
  parent: ListSheet['key'];
  /** the column naming the parent's code */
  parentField: string;
  /** the parent's JSON key holding the children */
  key: string;
  fields: Record<string, FieldType>;
  /** children that are plain codes (a template's data elements): the one field holding it */
  scalar?: string;
}

export const CATALOG_SHEET = 'catalog';
const CATALOG_FIELDS: Record<string, FieldType> = { version: 'string', legalBasis: 'string', effectiveFrom: 'string', effectiveTo: 'string' };

const LISTS: readonly ListSheet[] = [
  { key: 'categories', fields: { code: 'string', name: 'string' } },
  { key: 'categoryCombos', fields: { code: 'string', name: 'string', categories: 'list' } },
  {
    key: 'dataElements',
    fields: {
      code: 'string',
      name: 'string',
      valueType: 'string',
      aggregation: 'string',
      categoryCombo: 'string',
      unit: 'string',
      description: 'string',
      min: 'number',
      max: 'number',
      onOutOfRange: 'string',
      allowNegative: 'boolean',
      outlierCheck: 'boolean',
    },
  },
  { key: 'indicators', fields: { code: 'string', name: 'string', numerator: 'string', denominator: 'string', factor: 'number', unit: 'string', description: 'string' } },
  {
    key: 'templates',
    fields: { code: 'string', name: 'string', periodType: 'string', reportingLevel: 'string', deadlineDaysAfterPeriodEnd: 'number', approvalLevels: 'list', description: 'string' },
  },
  {
    key: 'validationRules',
    fields: {
      code: 'string',
      name: 'string',
      left: 'string',
      operator: 'string',
      right: 'string',
      importance: 'string',
      periodType: 'string',
      onViolation: 'string',
      missingValueStrategy: 'string',
      description: 'string',
    },
  },
  { key: 'compositeIndices', fields: { code: 'string', name: 'string', description: 'string' } },
];

const CHILDREN: readonly ChildSheet[] = [
  { name: 'categoryOptions', parent: 'categories', parentField: 'category', key: 'options', fields: { code: 'string', name: 'string' } },
  { name: 'templateDataElements', parent: 'templates', parentField: 'template', key: 'dataElements', fields: { dataElement: 'string' }, scalar: 'dataElement' },
  {
    name: 'compositeComponents',
    parent: 'compositeIndices',
    parentField: 'index',
    key: 'components',
    fields: { code: 'string', name: 'string', maxPoints: 'number', indicator: 'string', expression: 'string' },
  },
];

/** The sheet names, in workbook order. */
export const CATALOG_SHEETS: readonly string[] = [CATALOG_SHEET, ...LISTS.map((l) => l.key), ...CHILDREN.map((c) => c.name)];

/** Spreadsheet column letters: 1 -> A, 27 -> AA. */
export function columnLetter(n: number): string {
  let s = '';
  for (let k = n; k > 0; k = Math.floor((k - 1) / 26)) s = String.fromCharCode(65 + ((k - 1) % 26)) + s;
  return s;
}

const out = (v: unknown, type: FieldType): SheetCell => {
  if (v === undefined || v === null) return null;
  if (type === 'list') return (v as unknown[]).join(', ');
  return v as SheetCell;
};

/** The workbook's tables for a catalog (the layout catalogFromSheets reads back). */
export function catalogToSheets(catalog: Catalog): Array<SheetTable<SheetCell>> {
  const c = catalog as unknown as Record<string, unknown>;
  const tables: Array<SheetTable<SheetCell>> = [{ name: CATALOG_SHEET, rows: [['field', 'value'], ...Object.keys(CATALOG_FIELDS).map((k) => [k, out(c[k], 'string')])] }];
  for (const list of LISTS) {
    const fields = Object.keys(list.fields);
    const items = (c[list.key] as Array<Record<string, unknown>> | undefined) ?? [];
    tables.push({ name: list.key, rows: [fields, ...items.map((item) => fields.map((f) => out(item[f], list.fields[f]!)))] });
  }
  for (const child of CHILDREN) {
    const fields = [child.parentField, ...Object.keys(child.fields)];
    const rows: SheetCell[][] = [fields];
    for (const parent of (c[child.parent] as Array<Record<string, unknown>> | undefined) ?? []) {
      for (const item of (parent[child.key] as unknown[] | undefined) ?? []) {
        const values = child.scalar ? { [child.scalar]: item } : (item as Record<string, unknown>);
        rows.push([parent.code as string, ...Object.keys(child.fields).map((f) => out(values[f], child.fields[f]!))]);
      }
    }
    tables.push({ name: child.name, rows });
  }
  return tables;
}

export interface SheetsRead {
  /** the catalog as JSON, for validateCatalog (and the publish command) */
  input: Record<string, unknown>;
  /** what the layout itself refused: unknown sheets and columns, unreadable cells, children of no parent */
  problems: LocatedProblem[];
  /** where a validateCatalog path came from (the nearest located prefix) */
  locate(path: string): CellLocation | undefined;
}

const isBlank = (c: ReadCell | undefined) => c === null || c === undefined || c === '';

/** A cell as the JSON value a person would have typed in the JSON format; what does not convert is left as it is. */
function convert(cell: SheetCell, type: FieldType): unknown {
  if (type === 'string') return typeof cell === 'number' ? String(cell) : cell;
  if (type === 'number' && typeof cell === 'string' && /^-?\d+(\.\d+)?$/.test(cell.trim())) return Number(cell.trim());
  if (type === 'boolean' && typeof cell === 'string' && /^(true|false)$/i.test(cell.trim())) return cell.trim().toLowerCase() === 'true';
  if (type === 'list') {
    return String(cell)
      .split(/[,;\n]/)
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }
  return cell;
}

/** Reads the tables of a workbook in the layout of catalogToSheets. */
export function catalogFromSheets(tables: readonly SheetTable[]): SheetsRead {
  const problems: LocatedProblem[] = [];
  const where = new Map<string, CellLocation>();
  const input: Record<string, unknown> = {};
  const byName = new Map(tables.map((t) => [t.name.trim(), t]));
  for (const t of tables) {
    if (!CATALOG_SHEETS.includes(t.name.trim())) {
      problems.push({ code: 'UNKNOWN_FIELD', path: '', message: `unknown sheet "${t.name}"; the sheets are ${CATALOG_SHEETS.join(', ')}`, sheet: t.name });
    }
  }
  const at = (sheet: string, row: number, col: number, field: string): CellLocation => ({ sheet, row, column: columnLetter(col), field, cell: `${columnLetter(col)}${row}` });
  const unreadable = (path: string, loc: CellLocation, cell: { problem: string }) => problems.push({ code: 'INVALID_FIELD', path, message: cell.problem, ...loc });

  /** header columns of a sheet by field name; unknown headers are problems */
  const header = (table: SheetTable, fields: readonly string[]): Map<string, number> => {
    const cols = new Map<string, number>();
    (table.rows[0] ?? []).forEach((h, i) => {
      if (isBlank(h)) return;
      const name = typeof h === 'object' && h !== null ? '' : String(h).trim();
      if (fields.includes(name)) cols.set(name, i);
      else problems.push({ code: 'UNKNOWN_FIELD', path: '', message: `unknown column "${typeof h === 'object' ? h?.problem : h}" in sheet ${table.name}; the columns are ${fields.join(', ')}`, ...at(table.name, 1, i + 1, String(name)) });
    });
    return cols;
  };
  /** one row as an object of the given fields; blank cells are absent fields */
  const record = (table: SheetTable, r: number, cols: Map<string, number>, fields: Record<string, FieldType>, path: string): Record<string, unknown> => {
    const item: Record<string, unknown> = {};
    for (const [field, col] of cols) {
      if (!(field in fields)) continue;
      const cell = table.rows[r]?.[col];
      if (isBlank(cell)) continue;
      const loc = at(table.name, r + 1, col + 1, field);
      where.set(`${path}.${field}`, loc);
      if (typeof cell === 'object' && cell !== null) unreadable(`${path}.${field}`, loc, cell);
      else item[field] = convert(cell as SheetCell, fields[field]!);
    }
    return item;
  };
  const rowBlank = (table: SheetTable, r: number) => (table.rows[r] ?? []).every(isBlank);

  const meta = byName.get(CATALOG_SHEET);
  if (meta) {
    where.set('', { sheet: CATALOG_SHEET });
    for (let r = 1; r < meta.rows.length; r++) {
      const [k, v] = meta.rows[r] ?? [];
      if (isBlank(k)) continue;
      const key = typeof k === 'object' ? '' : String(k).trim();
      if (!(key in CATALOG_FIELDS)) {
        problems.push({ code: 'UNKNOWN_FIELD', path: '', message: `unknown field "${key}" in sheet ${CATALOG_SHEET}; the fields are ${Object.keys(CATALOG_FIELDS).join(', ')}`, ...at(CATALOG_SHEET, r + 1, 1, 'field') });
        continue;
      }
      const loc = at(CATALOG_SHEET, r + 1, 2, key);
      where.set(key, loc);
      if (typeof v === 'object' && v !== null) unreadable(key, loc, v);
      else if (!isBlank(v)) input[key] = convert(v as SheetCell, 'string');
    }
  }

  const codesOf = new Map<string, Map<string, number>>();
  for (const list of LISTS) {
    const table = byName.get(list.key);
    if (!table) continue;
    where.set(list.key, { sheet: table.name });
    const cols = header(table, Object.keys(list.fields));
    const items: Array<Record<string, unknown>> = [];
    const codes = new Map<string, number>();
    for (let r = 1; r < table.rows.length; r++) {
      if (rowBlank(table, r)) continue;
      const path = `${list.key}[${items.length}]`;
      where.set(path, { sheet: table.name, row: r + 1 });
      const item = record(table, r, cols, list.fields, path);
      if (typeof item.code === 'string' && !codes.has(item.code)) codes.set(item.code, items.length);
      items.push(item);
    }
    codesOf.set(list.key, codes);
    input[list.key] = items;
  }

  for (const child of CHILDREN) {
    const table = byName.get(child.name);
    if (!table) continue;
    const cols = header(table, [child.parentField, ...Object.keys(child.fields)]);
    const parents = input[child.parent] as Array<Record<string, unknown>> | undefined;
    const parentCol = cols.get(child.parentField);
    for (let r = 1; r < table.rows.length; r++) {
      if (rowBlank(table, r)) continue;
      const cell = parentCol === undefined ? null : table.rows[r]?.[parentCol];
      const code = isBlank(cell) || typeof cell === 'object' ? '' : String(cell).trim();
      const index = codesOf.get(child.parent)?.get(code);
      if (index === undefined || !parents) {
        const loc = at(table.name, r + 1, (parentCol ?? 0) + 1, child.parentField);
        problems.push({ code: 'UNKNOWN_REFERENCE', path: '', message: `${child.parentField} "${code}" is not a row of sheet ${child.parent}`, ...loc });
        continue;
      }
      const parent = parents[index]!;
      const list = ((parent[child.key] as unknown[] | undefined) ??= []);
      const path = `${child.parent}[${index}].${child.key}[${list.length}]`;
      where.set(path, { sheet: table.name, row: r + 1 });
      const item = record(table, r, cols, child.fields, path);
      if (child.scalar) {
        const loc = where.get(`${path}.${child.scalar}`);
        if (loc) where.set(path, loc);
        list.push(item[child.scalar] ?? null);
      } else list.push(item);
    }
  }
  // a template with no row in templateDataElements: [] (validateCatalog then says EMPTY_TEMPLATE)
  for (const t of (input.templates as Array<Record<string, unknown>> | undefined) ?? []) t.dataElements ??= [];
  for (const c of (input.categories as Array<Record<string, unknown>> | undefined) ?? []) c.options ??= [];
  for (const c of (input.compositeIndices as Array<Record<string, unknown>> | undefined) ?? []) c.components ??= [];

  const locate = (path: string): CellLocation | undefined => {
    for (let p = path; ; ) {
      const hit = where.get(p);
      if (hit) return hit;
      if (p === '') return undefined;
      const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = cut <= 0 ? '' : p.slice(0, cut);
    }
  };
  return { input, problems, locate };
}

/** Every problem of a workbook: its layout's, then validateCatalog's, each with the cell it came from. */
export function locateProblems(read: SheetsRead, problems: readonly CatalogProblem[]): LocatedProblem[] {
  return [...read.problems, ...problems.map((p) => ({ ...p, ...(read.locate(p.path) ?? {}) }))];
}
