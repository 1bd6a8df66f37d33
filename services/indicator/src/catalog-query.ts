import type { CatalogQuery } from '@tally/contracts';
import type { CatalogRegistry } from './catalog-registry';

/** The catalog as other services see it, answered from the indicator service's registry. */
export function catalogQueryOf(registry: CatalogRegistry): CatalogQuery {
  return {
    catalogFor: async (date) => (date ? registry.forDate(date) : registry.latest()),
    catalogVersion: async (version) => registry.version(version),
    dataElement: async (code, date) => (date ? registry.forDate(date) : registry.latest())?.dataElements.find((e) => e.code === code),
    indicator: async (code, date) => (date ? registry.forDate(date) : registry.latest())?.indicators.find((i) => i.code === code),
  };
}
