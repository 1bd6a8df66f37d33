import type { Catalog } from '@tally/core';

/**
 * Open datasets, one per report template: the template's values rolled up per province and period.
 * Metadata follows Frictionless Data Package and DCAT words; the licence travels with every download.
 */
export const LICENCE = {
  name: 'CC-BY-4.0',
  title: 'Creative Commons Attribution 4.0',
  path: 'https://creativecommons.org/licenses/by/4.0/',
};

export interface DatasetMeta {
  id: string;
  title: string;
  description: string;
  template: string;
  licence: typeof LICENCE;
  source: string;
  publisher: string;
  /** increases whenever new data arrives */
  version: number;
  periods: string[];
  updatedAt: string | null;
  formats: string[];
  distributions: Array<{ format: string; mediaType: string; url: string }>;
  fields: Array<{ name: string; type: string; description: string }>;
}

export const datasetIdOf = (template: string): string => `province-rollups-${template.toLowerCase().replace(/_/g, '-')}`;

export const FIELDS: DatasetMeta['fields'] = [
  { name: 'province_code', type: 'string', description: 'GSO province code in the hierarchy version' },
  { name: 'province_name', type: 'string', description: 'official province name (Vietnamese, NFC)' },
  { name: 'hierarchy', type: 'string', description: 'hierarchy version the period is read on' },
  { name: 'period', type: 'string', description: 'DHIS2 period code' },
  { name: 'data_element', type: 'string', description: 'data element code (ELEMENT or ELEMENT.OPTIONCOMBO)' },
  { name: 'data_element_name', type: 'string', description: 'data element name' },
  { name: 'value', type: 'number', description: 'rolled-up value' },
];

export function datasetMeta(catalog: Catalog | undefined, template: string, progress: { version: number; periods: string[]; updatedAt: string | null }): DatasetMeta {
  const t = catalog?.templates.find((x) => x.code === template);
  return {
    id: datasetIdOf(template),
    title: `${t?.name ?? template}: values per province and period`,
    description: `Values of report template ${template} submitted by ${t?.reportingLevel ?? 'reporting'} units, rolled up to each province.`,
    template,
    licence: LICENCE,
    source: 'Tally reporting platform; administrative units: GSO codes (see data/vn-admin/README.md)',
    publisher: 'Tally',
    version: progress.version,
    periods: progress.periods,
    updatedAt: progress.updatedAt,
    formats: ['csv', 'json'],
    distributions: [
      { format: 'csv', mediaType: 'text/csv', url: `/api/v1/open-data/datasets/${datasetIdOf(template)}.csv` },
      { format: 'json', mediaType: 'application/json', url: `/api/v1/open-data/datasets/${datasetIdOf(template)}.json` },
    ],
    fields: FIELDS,
  };
}
