import * as grpc from '@grpc/grpc-js';
import { retrying, type RemoteClientOptions } from './retry';
import { CatalogServiceClient, promisifyUnary, TallyError, type CatalogQuery } from '@tally/contracts';
import type { Catalog } from '@tally/core';

/**
 * The catalog from the indicator service over gRPC. A published version never changes, so versions are
 * cached for good; which version is in force on a date can change when a new one is published, so those
 * answers are dropped by `invalidate()` (called on every catalog event).
 */
export interface RemoteCatalogQuery extends CatalogQuery {
  invalidate(): void;
  close(): void;
}

export function remoteCatalogQuery(address: string, options: RemoteClientOptions = {}): RemoteCatalogQuery {
  const client = new CatalogServiceClient(address, grpc.credentials.createInsecure());
  const getCatalog = retrying(promisifyUnary(client, client.getCurrentCatalog), options);
  const byVersion = new Map<string, Promise<Catalog | undefined>>();
  let byDate = new Map<string, Promise<Catalog | undefined>>();

  async function fetchCatalog(date: string, version: string): Promise<Catalog | undefined> {
    try {
      return JSON.parse((await getCatalog({ date, version })).catalogJson) as Catalog;
    } catch (err) {
      if (err instanceof TallyError && err.code === 'NO_CATALOG') return undefined;
      throw err;
    }
  }
  function memo(map: Map<string, Promise<Catalog | undefined>>, key: string, load: () => Promise<Catalog | undefined>) {
    let hit = map.get(key);
    if (!hit) {
      hit = load();
      map.set(key, hit);
      // a miss or a failure is not remembered: the catalog may be published a moment later
      hit.then((c) => c ?? map.delete(key), () => map.delete(key));
    }
    return hit;
  }
  const catalogFor = (date?: string) => memo(byDate, date ?? '', () => fetchCatalog(date ?? '', ''));
  return {
    catalogFor,
    catalogVersion: (version) => memo(byVersion, version, () => fetchCatalog('', version)),
    dataElement: async (code, date) => (await catalogFor(date))?.dataElements.find((e) => e.code === code),
    indicator: async (code, date) => (await catalogFor(date))?.indicators.find((i) => i.code === code),
    invalidate() {
      byDate = new Map();
    },
    close: () => client.close(),
  };
}
