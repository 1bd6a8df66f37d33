import type { Catalog } from '@tally/core';

/** The catalog's one stream: every version published, in order. */
export const CATALOG_STREAM = 'catalog-registry';

export type CatalogPublished = { type: 'tally.catalog.published'; data: { catalog: Catalog } };

export const isCatalogPublished = (e: { type: string }): e is CatalogPublished => e.type === 'tally.catalog.published';
