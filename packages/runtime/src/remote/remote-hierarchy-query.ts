import * as grpc from '@grpc/grpc-js';
import { retrying, type RemoteClientOptions } from './retry';
export type { RemoteClientOptions } from './retry';
import { HierarchyServiceClient, promisifyUnary, TallyError, type HierarchyQuery, type OrgUnitView, type tallyv1 } from '@tally/contracts';

/**
 * The hierarchy from the hierarchy-rollup service over gRPC. A hierarchy version is immutable once
 * published (changes make new versions), so answers are cached for the life of the process;
 * `invalidate()` is called when a hierarchy event arrives.
 */
export interface RemoteHierarchyQuery extends HierarchyQuery {
  invalidate(): void;
  close(): void;
}

const viewOf = (u: tallyv1.OrgUnit): OrgUnitView => ({ code: u.code, name: u.name, shortName: u.shortName, type: u.type, level: u.level, parentCode: u.parentCode ?? null });

export function remoteHierarchyQuery(address: string, options: RemoteClientOptions = {}): RemoteHierarchyQuery {
  const client = new HierarchyServiceClient(address, grpc.credentials.createInsecure());
  const getUnit = retrying(promisifyUnary(client, client.getUnit), options);
  const getAncestors = retrying(promisifyUnary(client, client.getAncestors), options);
  const getChildren = retrying(promisifyUnary(client, client.getChildren), options);
  const listVersions = retrying(promisifyUnary(client, client.listVersions), options);
  const countAtLevel = retrying(promisifyUnary(client, client.countAtLevel), options);
  let cache = new Map<string, Promise<unknown>>();
  function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    let hit = cache.get(key) as Promise<T> | undefined;
    if (!hit) {
      hit = load();
      cache.set(key, hit);
      hit.catch(() => cache.delete(key));
    }
    return hit;
  }
  const versions = () =>
    cached('versions', async () =>
      (await listVersions({})).versions.map((v) => ({ id: v.id, validFrom: v.validFrom, ...(v.validTo ? { validTo: v.validTo } : {}), levels: v.levels })),
    );
  return {
    versions,
    async versionFor(date) {
      const v = (await versions()).find((x) => x.validFrom <= date && (!x.validTo || date <= x.validTo));
      if (!v) throw new TallyError('UNKNOWN_HIERARCHY', `no hierarchy in force on ${date}`);
      return v.id;
    },
    unit: (hierarchy, code) =>
      cached(`unit|${hierarchy}|${code}`, async () => {
        try {
          const r = await getUnit({ hierarchy, code });
          return r.unit ? viewOf(r.unit) : undefined;
        } catch (err) {
          if (err instanceof TallyError && err.code === 'UNKNOWN_ORG_UNIT') return undefined;
          throw err;
        }
      }),
    path: (hierarchy, code) =>
      cached(`path|${hierarchy}|${code}`, async () => {
        try {
          return (await getAncestors({ hierarchy, code })).units.map((u) => u.code);
        } catch (err) {
          if (err instanceof TallyError && err.code === 'UNKNOWN_ORG_UNIT') return [];
          throw err;
        }
      }),
    children: (hierarchy, code) => cached(`children|${hierarchy}|${code}`, async () => (await getChildren({ hierarchy, code })).units.map(viewOf)),
    countAtLevel: (hierarchy, code, level) => cached(`count|${hierarchy}|${code}|${level}`, async () => (await countAtLevel({ hierarchy, code, level })).count),
    invalidate() {
      cache = new Map();
    },
    close: () => client.close(),
  };
}
