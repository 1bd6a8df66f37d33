import type { Catalog, SourcedStream } from '@tally/core';

/** The catalog's one stream: every version published, in order. */
export const CATALOG_STREAM = 'catalog-registry';

export type CatalogPublished = { type: 'tally.catalog.published'; data: { catalog: Catalog } };

/** The catalog stream folded: each published version, with the position it was published at. */
export type PublishedCatalogs = Record<string, { catalog: Catalog; position: number }>;

export const catalogStream: SourcedStream<PublishedCatalogs, CatalogPublished> = {
  schema: { types: ['tally.catalog.published'] },
  initialState: () => ({}),
  evolve: (state, e, meta) => ({ ...state, [e.data.catalog.version]: { catalog: e.data.catalog, position: meta.position } }),
};

export const isCatalogPublished = (e: { type: string }): e is CatalogPublished => e.type === 'tally.catalog.published';
