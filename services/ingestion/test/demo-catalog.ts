import { readFileSync } from 'node:fs';
import type { CatalogQuery } from '@tally/contracts';
import { validateCatalog, type Catalog } from '@tally/core';

/** The demo catalog, checked as publishing checks it. */
const checked = validateCatalog(JSON.parse(readFileSync(new URL('../../../data/demo/catalog-1719.json', import.meta.url), 'utf8')));
if (!checked.ok) throw new Error('the demo catalog is invalid');
export const catalog: Catalog = checked.catalog;

/** The catalog service as ingestion sees it, answering the demo catalog for every date. */
export const catalogs: CatalogQuery = {
  catalogFor: async () => catalog,
  catalogVersion: async (v) => (v === catalog.version ? catalog : undefined),
  dataElement: async (code) => catalog.dataElements.find((d) => d.code === code),
  indicator: async (code) => catalog.indicators.find((i) => i.code === code),
};
