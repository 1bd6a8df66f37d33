/**
 * The bench catalog: K values per report, as INTEGER SUM data elements, every fifth one disaggregated by
 * sex (two values: MALE, FEMALE), one SIXMONTHLY template collected at commune level.
 */
export const BENCH_TEMPLATE = 'BENCH_S';
export const BENCH_CATALOG_VERSION = 'bench.1';

/** One value slot of a report: a data element, and its option combo when disaggregated. */
export interface ValueSlot {
  dataElement: string;
  optionCombo?: string;
}

export interface BenchCatalog {
  /** the catalog JSON, as PUT /api/v1/catalog takes it */
  json: Record<string, unknown>;
  template: string;
  /** the K value slots, in the order values are generated and sent */
  slots: ValueSlot[];
  /** disaggregated elements: the rollup also shows their total (sum over option combos) */
  disaggregated: Array<{ dataElement: string; slots: number[] }>;
}

const SEX = ['MALE', 'FEMALE'] as const;

export function benchCatalog(valuesPerReport: number): BenchCatalog {
  if (!Number.isInteger(valuesPerReport) || valuesPerReport < 1 || valuesPerReport > 5000) {
    throw new Error(`values per report must be an integer in [1, 5000], got ${valuesPerReport}`);
  }
  const slots: ValueSlot[] = [];
  const dataElements: Array<Record<string, unknown>> = [];
  const disaggregated: BenchCatalog['disaggregated'] = [];
  for (let n = 1; slots.length < valuesPerReport; n++) {
    const code = `BE${String(n).padStart(4, '0')}`;
    const bySex = n % 5 === 0 && valuesPerReport - slots.length >= 2;
    dataElements.push({
      code,
      name: `Chỉ tiêu thử tải ${n}`,
      valueType: 'INTEGER',
      aggregation: 'SUM',
      unit: 'người',
      ...(bySex ? { categoryCombo: 'BY_SEX' } : {}),
    });
    if (bySex) {
      disaggregated.push({ dataElement: code, slots: [slots.length, slots.length + 1] });
      for (const o of SEX) slots.push({ dataElement: code, optionCombo: o });
    } else {
      slots.push({ dataElement: code });
    }
  }
  const json = {
    version: BENCH_CATALOG_VERSION,
    legalBasis: 'Bench workload (synthetic)',
    effectiveFrom: '2000-01-01',
    categories: [{ code: 'SEX', name: 'Giới tính', options: SEX.map((code) => ({ code, name: code === 'MALE' ? 'Nam' : 'Nữ' })) }],
    categoryCombos: [{ code: 'BY_SEX', name: 'Theo giới tính', categories: ['SEX'] }],
    dataElements,
    indicators: [{ code: 'BENCH_SHARE', name: 'Tỷ lệ thử tải', numerator: `#{${slots[0]!.dataElement}}`, denominator: `#{${slots[slots.length - 1]!.dataElement}}`, factor: 100, unit: '%' }],
    templates: [
      {
        code: BENCH_TEMPLATE,
        name: 'Báo cáo thử tải 6 tháng',
        periodType: 'SIXMONTHLY',
        reportingLevel: 'commune',
        dataElements: dataElements.map((e) => e.code as string),
        deadlineDaysAfterPeriodEnd: 15,
      },
    ],
  };
  return { json, template: BENCH_TEMPLATE, slots, disaggregated };
}

/** The key a rollup shows for a slot: ELEMENT or ELEMENT.OPTIONCOMBO. */
export const slotKey = (s: ValueSlot): string => (s.optionCombo ? `${s.dataElement}.${s.optionCombo}` : s.dataElement);
