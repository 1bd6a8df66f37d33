import { CC_BY_4, normalizeDefinition, type Catalog, type DatasetDefinition } from '@tally/core';

/**
 * The datasets every deployment has without anyone defining them: one per report template, its values rolled
 * up per province and period (live, no releases). An administrator who defines a dataset with the same id
 * (POST /open-data/datasets) takes it over: from then on it is the defined one.
 */
export const defaultDatasetId = (template: string): string => `province-rollups-${template.toLowerCase().replace(/_/g, '-')}`;

export function defaultDefinitions(catalog: Catalog | undefined): DatasetDefinition[] {
  return (catalog?.templates ?? []).map((t) =>
    normalizeDefinition({
      id: defaultDatasetId(t.code),
      title: { vi: `${t.name}: số liệu theo tỉnh và kỳ`, en: `${t.name}: values per province and period` },
      description: {
        vi: `Số liệu của biểu mẫu ${t.code} do các đơn vị cấp ${t.reportingLevel} báo cáo, tổng hợp lên từng tỉnh.`,
        en: `Values of report template ${t.code} submitted by ${t.reportingLevel} units, rolled up to each province.`,
      },
      templates: [t.code],
      levels: ['province'],
      // as before datasets were data: the latest figures, estimates included
      figures: 'latest',
      licence: CC_BY_4,
      updateFrequency: 'continuous',
      release: { on: 'manual' },
    }),
  );
}
