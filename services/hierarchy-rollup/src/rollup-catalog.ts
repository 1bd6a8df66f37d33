import type { AggregationType, Catalog, DataElement } from '@tally/core';

/** What the rollup reads of a catalog version for every report event, built once per catalog. */
export interface RollupCatalog {
  elements: ReadonlyMap<string, DataElement>;
  /** the aggregation of a contribution key (`ELEMENT` or `ELEMENT:COMBO`), remembered per key */
  aggregationOf: (key: string) => AggregationType | undefined;
}

// a catalog version never changes once published: its view lives as long as the catalog object does
const views = new WeakMap<Catalog, RollupCatalog>();

export function rollupCatalogOf(catalog: Catalog): RollupCatalog {
  let view = views.get(catalog);
  if (!view) {
    const elements = new Map(catalog.dataElements.map((e) => [e.code, e]));
    const byKey = new Map<string, AggregationType | undefined>();
    const aggregationOf = (key: string): AggregationType | undefined => {
      if (byKey.has(key)) return byKey.get(key);
      const colon = key.indexOf(':');
      const aggregation = elements.get(colon < 0 ? key : key.slice(0, colon))?.aggregation;
      // the keys of a catalog's contributions are its elements and their option combos: a bounded set
      byKey.set(key, aggregation);
      return aggregation;
    };
    views.set(catalog, (view = { elements, aggregationOf }));
  }
  return view;
}

const COUNTER_NAMES_CACHE_SIZE = 100_000;
const counterNames = new Map<string, Map<string, string>>();

/**
 * `prefix.key`, the same string object each time: a share's counter names are built for every key of every
 * event, and a name seen before is then an internalized property key instead of a new string to hash and look up.
 */
export function counterName(prefix: string, key: string): string {
  let names = counterNames.get(prefix);
  if (!names) counterNames.set(prefix, (names = new Map()));
  let name = names.get(key);
  if (name === undefined) {
    if (names.size >= COUNTER_NAMES_CACHE_SIZE) names.clear();
    names.set(key, (name = `${prefix}.${key}`));
  }
  return name;
}
