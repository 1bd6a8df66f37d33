import type { Catalog, PeriodType } from '../catalog/types';
import { optionCombos } from '../catalog/option-combos';
import type { DataValue } from '../report/events';
import { comboFromOptions } from './combo-options';
import { DEFAULT_COMBO_CODE, DEFAULT_COMBO_UID, UidMap, uidOf, type IdScheme } from './dhis2-ids';
import type { ImportConflict } from './import-summary';
import { valueText, type RawValue } from './raw-value';

/**
 * DHIS2 data value sets <-> Tally reports. A data value set is a list of values each naming its data set
 * (= template), period, org unit, data element and category option combo; Tally groups them by
 * (template, unit, period) into one report each. Identifiers are codes (Tally's own) or DHIS2-shaped UIDs derived
 * from them (see dhis2-ids.ts); `auto` tries the code first, then the UID.
 */
export type IdSchemeParam = IdScheme | 'auto';

/** One data value as a file carries it (JSON, CSV row, ADX or DXF2 element), identifiers unresolved. */
export interface RawDataValue {
  dataSet?: string;
  period?: string;
  orgUnit?: string;
  dataElement: string;
  categoryOptionCombo?: string;
  /** ADX: the disaggregation as category -> option attributes */
  categoryOptions?: Record<string, string>;
  value?: RawValue;
  comment?: string;
  /** 0-based index of the value in the file */
  index: number;
  /** 1-based line of a CSV file */
  row?: number;
}

/** The columns of DHIS2's data value CSV, in DHIS2's order (the first row is a header). */
export const DHIS2_CSV_COLUMNS = ['dataelement', 'period', 'orgunit', 'catoptcombo', 'attroptcombo', 'value', 'storedby', 'lastupdated', 'comment', 'followup'] as const;

/** A CSV record in DHIS2's column order as a raw data value; the header row (dataelement,...) gives null. */
export function csvRecordToRaw(fields: readonly string[], index: number, row: number): RawDataValue | null {
  const [dataElement = '', period, orgUnit, coc, _aoc, value, _storedBy, _lastUpdated, comment] = fields.map((f) => f.trim());
  if (row === 1 && /^(data_?element|de)$/i.test(dataElement)) return null;
  return {
    dataElement,
    ...(period ? { period } : {}),
    ...(orgUnit ? { orgUnit } : {}),
    ...(coc ? { categoryOptionCombo: coc } : {}),
    ...(value !== undefined && value !== '' ? { value } : {}),
    ...(comment ? { comment } : {}),
    index,
    row,
  };
}

/** UIDs of the catalog's data elements, option combos and templates, to read `idScheme=uid` files. */
export class CatalogIds {
  readonly elements: UidMap;
  readonly combos: UidMap;
  readonly templates: UidMap;
  constructor(readonly catalog: Catalog) {
    this.elements = new UidMap('dataElement', catalog.dataElements.map((e) => e.code));
    const combos = new Set<string>();
    for (const c of catalog.categoryCombos ?? []) for (const oc of optionCombos(catalog, c.code)) combos.add(oc);
    this.combos = new UidMap('categoryOptionCombo', combos);
    this.templates = new UidMap('dataSet', catalog.templates.map((t) => t.code));
  }
}

export interface ResolvedDataValue {
  template: string;
  dataElement: string;
  optionCombo?: string;
  value?: RawValue;
  comment?: string;
}

const pick = (scheme: IdSchemeParam, id: string, isCode: (s: string) => boolean, uids: UidMap): string | undefined => {
  if (scheme !== 'uid' && isCode(id)) return id;
  if (scheme !== 'code') return uids.codeOf(id);
  return undefined;
};

/**
 * Resolves a value's data element, option combo and template in the catalog in force for its period. `template`
 * is the data set named by the value or the request; without one, the only template of the period's type that
 * holds the element (a DHIS2 CSV names no data set).
 */
export function resolveDataValue(
  v: RawDataValue,
  ctx: { ids: CatalogIds; scheme: IdSchemeParam; periodType: PeriodType; dataSet?: string | undefined },
): ResolvedDataValue | { conflict: ImportConflict } {
  const { catalog } = ctx.ids;
  const at = { indexes: [v.index], ...(v.row === undefined ? {} : { row: v.row }) };
  const fail = (object: string, errorCode: string, value: string) => ({ conflict: { object, value, errorCode, ...at } });
  const elementCode = pick(ctx.scheme, v.dataElement, (s) => catalog.dataElements.some((e) => e.code === s), ctx.ids.elements);
  const element = catalog.dataElements.find((e) => e.code === elementCode);
  if (!element) return fail(v.dataElement, 'UNKNOWN_DATA_ELEMENT', `unknown data element ${v.dataElement} in catalog ${catalog.version}`);

  let optionCombo: string | undefined;
  const coc = v.categoryOptionCombo;
  if (coc !== undefined && coc !== '' && coc !== DEFAULT_COMBO_CODE && coc !== DEFAULT_COMBO_UID) {
    const combos = element.categoryCombo ? optionCombos(catalog, element.categoryCombo) : [];
    optionCombo = pick(ctx.scheme, coc, (s) => combos.includes(s), ctx.ids.combos);
    if (!optionCombo || !combos.includes(optionCombo)) {
      return fail(`${element.code}.${coc}`, 'INVALID_VALUE', `${coc} is not an option combination of ${element.code}`);
    }
  } else if (v.categoryOptions && Object.keys(v.categoryOptions).length > 0) {
    if (!element.categoryCombo) return fail(element.code, 'INVALID_VALUE', `${element.code} is not disaggregated`);
    optionCombo = comboFromOptions(catalog, element.categoryCombo, v.categoryOptions);
    if (!optionCombo) {
      const given = Object.entries(v.categoryOptions).map(([k, o]) => `${k}=${o}`).join(' ');
      return fail(element.code, 'INVALID_VALUE', `${given} is not an option combination of ${element.categoryCombo}`);
    }
  }

  const dataSet = v.dataSet ?? ctx.dataSet;
  let template: string | undefined;
  if (dataSet) {
    template = pick(ctx.scheme, dataSet, (s) => catalog.templates.some((t) => t.code === s), ctx.ids.templates);
    if (!template) return fail(dataSet, 'UNKNOWN_TEMPLATE', `unknown data set ${dataSet} in catalog ${catalog.version}`);
  } else {
    const fits = catalog.templates.filter((t) => t.periodType === ctx.periodType && t.dataElements.includes(element.code));
    if (fits.length !== 1) {
      return fail(element.code, 'UNKNOWN_TEMPLATE', fits.length === 0 ? `no ${ctx.periodType} template holds ${element.code}` : `several templates hold ${element.code} (${fits.map((t) => t.code).join(', ')}); name the dataSet`);
    }
    template = fits[0]!.code;
  }
  return {
    template,
    dataElement: element.code,
    ...(optionCombo ? { optionCombo } : {}),
    ...(v.value === undefined ? {} : { value: v.value }),
    ...(v.comment ? { comment: v.comment } : {}),
  };
}

/** A data value as DHIS2 writes it on export. */
export interface Dhis2DataValue {
  dataSet: string;
  dataElement: string;
  period: string;
  orgUnit: string;
  categoryOptionCombo: string;
  attributeOptionCombo: string;
  value: string;
  storedBy?: string;
  lastUpdated?: string;
  comment?: string;
  followup: boolean;
}

/** The values of one report as DHIS2 data values, identifiers in the scheme asked for. */
export function reportDataValues(
  key: { template: string; orgUnit: string; period: string },
  values: readonly DataValue[],
  scheme: IdScheme,
  meta: { storedBy?: string; lastUpdated?: string } = {},
): Dhis2DataValue[] {
  const id = (kind: Parameters<typeof uidOf>[0], code: string) => (scheme === 'uid' ? uidOf(kind, code) : code);
  const defaultCombo = scheme === 'uid' ? DEFAULT_COMBO_UID : DEFAULT_COMBO_CODE;
  return values.map((v) => ({
    dataSet: id('dataSet', key.template),
    dataElement: id('dataElement', v.dataElement),
    period: key.period,
    orgUnit: id('orgUnit', key.orgUnit),
    categoryOptionCombo: v.optionCombo ? id('categoryOptionCombo', v.optionCombo) : defaultCombo,
    attributeOptionCombo: defaultCombo,
    value: valueText(v.value),
    ...(meta.storedBy ? { storedBy: meta.storedBy } : {}),
    ...(meta.lastUpdated ? { lastUpdated: meta.lastUpdated } : {}),
    ...(v.comment ? { comment: v.comment } : {}),
    followup: false,
  }));
}
