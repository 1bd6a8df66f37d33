import { TallyError, type CatalogQuery, type HierarchyQuery, type RollupQuery } from '@tally/contracts';
import { isPublic, type ReleaseCell } from '@tally/core';
import type { Collection, Doc } from '@tally/readstore';
import type { Platform } from '@tally/runtime';
import { assembleTable } from './assemble';
import { cutRelease, defineDataset, loadDataset, releaseCells, type DatasetCollections } from './datasets';
import { defaultDefinitions } from './defaults';
import type { OpenData } from './open-data';
import type { OpenDataSettings } from './settings';

/** What the report consumer records per template and partition: the periods seen and the newest position applied. */
export interface ProgressDoc extends Doc {
  template: string;
  /** period -> true */
  periods: Record<string, boolean>;
  applied: number;
  updatedAt: string;
}

export interface OpenDataModelDeps {
  platform: Platform;
  sources: { catalog: CatalogQuery; hierarchy: HierarchyQuery; rollups: RollupQuery };
  settings: OpenDataSettings;
  collections: DatasetCollections;
  progress: Collection<ProgressDoc>;
}

/**
 * The datasets, their releases and live tables, and the two commands (define, release), over the read models and
 * the event store. `clearLiveTables` forgets cached live tables (a renamed unit or a new catalog changes them).
 */
export function createOpenDataModel(m: OpenDataModelDeps): { openData: OpenData; clearLiveTables(): void } {
  const { platform, settings, progress } = m;
  const deps = m.sources;
  const c = m.collections;
  /** live tables by (definition, asOf, data version) */
  const liveCache = new Map<string, { cells: ReleaseCell[]; updatedAt: string | null; version: number }>();

  async function progressOf(templates: string[]): Promise<{ version: number; periods: string[]; updatedAt: string | null }> {
    const shares = (await progress.find({})).filter((s) => templates.length === 0 || templates.includes(s.template));
    const periods = new Set<string>();
    let updatedAt: string | null = null;
    for (const s of shares) {
      Object.keys(s.periods ?? {}).forEach((p) => periods.add(p));
      if (!updatedAt || s.updatedAt > updatedAt) updatedAt = s.updatedAt;
    }
    // the newest report position the dataset reflects: it only grows as data arrives
    const version = shares.reduce((m, s) => Math.max(m, s.applied ?? 0), 0);
    return { version, periods: [...periods].sort(), updatedAt };
  }

  const openData: OpenData = {
    settings,
    catalog: () => deps.catalog.catalogFor(),
    async datasets() {
      const defined = await c.definitions.find({});
      const ids = new Set(defined.map((d) => d.definition.id));
      const defaults = defaultDefinitions(await deps.catalog.catalogFor()).filter((d) => !ids.has(d.id));
      return [
        ...defaults.map((def) => ({ def, version: null, definedAt: null })),
        ...defined.sort((a, b) => (a._id < b._id ? -1 : 1)).map((d) => ({ def: d.definition, version: d.version, definedAt: d.definedAt })),
      ];
    },
    async dataset(id) {
      const doc = await c.definitions.get(id);
      if (doc) return { def: doc.definition, version: doc.version, definedAt: doc.definedAt };
      const def = defaultDefinitions(await deps.catalog.catalogFor()).find((d) => d.id === id);
      if (!def) throw new TallyError('NOT_FOUND', `no dataset ${id}`);
      return { def, version: null, definedAt: null };
    },
    async releases(id, opts = {}) {
      const now = new Date().toISOString();
      const docs = await c.releases.find({ dataset: id });
      return docs
        .map((d) => d.header)
        .filter((h) => opts.all || isPublic(h, now))
        .sort((a, b) => a.release - b.release);
    },
    releaseCells: (header) => releaseCells(c.parts, header),
    async live(def, asOf) {
      const p = await progressOf(def.templates);
      const periods = def.periods.length > 0 ? def.periods : p.periods;
      const key = JSON.stringify([def, asOf ?? null, p.version]);
      const hit = liveCache.get(key);
      if (hit) return hit;
      const table = await assembleTable(def, deps, periods, asOf);
      const out = { cells: table.cells, updatedAt: p.updatedAt, version: p.version };
      if (liveCache.size >= 32) liveCache.delete(liveCache.keys().next().value!);
      liveCache.set(key, out);
      return out;
    },
    define: (def, mode, ctx) => defineDataset(platform.store, def, mode, ctx),
    async release(id, input, ctx) {
      const state = await loadDataset(platform.store, id);
      if (!state.definition) throw new TallyError('NOT_FOUND', `no defined dataset ${id}; only defined datasets have releases (POST /open-data/datasets)`);
      const def = state.definition;
      const p = await progressOf(def.templates);
      const table = await assembleTable(def, deps, def.periods.length > 0 ? def.periods : p.periods);
      const { reflects, ...rest } = input;
      // a release cut for an approval reflects that approval too (the rollups only know data events' positions)
      const cutoffPosition = Math.max(table.position, reflects ?? 0);
      const result = await cutRelease(platform.store, id, { cells: table.cells, cutoffPosition, partSize: settings.partSize, at: new Date().toISOString(), ...rest }, ctx);
      if (result.header) platform.nudgeRelay();
      return result;
    },
  };

  return { openData, clearLiveTables: () => liveCache.clear() };
}
