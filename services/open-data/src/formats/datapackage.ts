import { neutralizeFormula, type DatasetDefinition, type ReleaseHeader } from '@tally/core';
import { columnsOf } from '../table';
import { datasetUrl, releaseUrl } from '../urls';

/**
 * A Frictionless Tabular Data Package describing one CSV: the table schema (columns, types, primary key,
 * missing values), the licence, the sources and the publisher. For the latest data (release null; its version is
 * the latest release's) or for one release.
 */
export function dataPackage(def: DatasetDefinition, base: string, release: number | null, header: ReleaseHeader | null): Record<string, unknown> {
  const root = base + (release !== null ? releaseUrl(def.id, release) : datasetUrl(def.id));
  const columns = columnsOf(def);
  return {
    profile: 'tabular-data-package',
    name: def.id,
    id: root,
    title: neutralizeFormula(def.title.en),
    description: neutralizeFormula(def.description.en || def.title.en),
    homepage: base + datasetUrl(def.id),
    ...(header ? { version: `${header.release}.0.0`, created: header.releasedAt } : {}),
    ...(def.keywords.length > 0 ? { keywords: def.keywords.map(neutralizeFormula) } : {}),
    licenses: [{ name: def.licence.id, path: def.licence.url, title: def.licence.title }],
    sources: [
      { title: 'Tally reporting platform: reports rolled up the administrative hierarchy', path: base + datasetUrl(def.id) },
      { title: 'Administrative units: General Statistics Office (GSO) codes, see data/vn-admin/README.md' },
    ],
    contributors: [{ title: neutralizeFormula(def.publisher.name), role: 'publisher', ...(def.publisher.url ? { path: def.publisher.url } : {}), ...(def.publisher.email ? { email: def.publisher.email } : {}) }],
    resources: [
      {
        profile: 'tabular-data-resource',
        name: def.id,
        path: `${root}.csv`,
        title: neutralizeFormula(def.title.vi),
        format: 'csv',
        mediatype: 'text/csv',
        encoding: 'utf-8',
        dialect: { delimiter: ',', lineTerminator: '\r\n', header: true, doubleQuote: true },
        schema: {
          fields: columns.map((c) => ({ name: c.name, type: c.type, description: c.description })),
          primaryKey: [columns[0]!.name, 'hierarchy', 'period', 'data_element'],
          missingValues: [''],
        },
        licenses: [{ name: def.licence.id, path: def.licence.url, title: def.licence.title }],
      },
    ],
  };
}
