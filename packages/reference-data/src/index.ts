/**
 * Loads the reference data shipped in the repository (data/vn-admin) into the pure core models.
 * The product reads only its own copy of the data, never /work/shared.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  HierarchyRegistry,
  Remapping,
  VN_2025,
  VN_PRE2025,
  parseHierarchyCsv,
  parseMappingCsv,
  type MappingRow,
  type RemappingOptions,
} from '@tally/core';

/** data/vn-admin at the repository root. */
export const DEFAULT_DATA_DIR: URL = new URL('../../../data/vn-admin/', import.meta.url);

export const FILES = Object.freeze({
  pre2025: 'vn_admin_pre2025.csv',
  v2025: 'vn_admin_2025.csv',
  mapping: 'vn_admin_2025_old_to_new.csv',
});

function dirPath(dataDir: string | URL | undefined): string {
  const d = dataDir ?? DEFAULT_DATA_DIR;
  const p = d instanceof URL ? fileURLToPath(d) : d;
  return p.endsWith('/') ? p : `${p}/`;
}

function readText(dataDir: string | URL | undefined, file: string): string {
  const path = dirPath(dataDir) + file;
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`reference data: cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
}

// Hierarchies are immutable, so one parse per directory is shared by every caller.
const registryCache = new Map<string, HierarchyRegistry>();

/**
 * The registry of both maps: 'pre2025' (3 levels, until 2025-06-30) and '2025' (2 levels, from 2025-07-01).
 * `dataDir` defaults to the repository's data/vn-admin. Cached per directory.
 */
export function loadHierarchies(dataDir?: string | URL): HierarchyRegistry {
  const key = dirPath(dataDir);
  let reg = registryCache.get(key);
  if (!reg) {
    reg = new HierarchyRegistry([
      parseHierarchyCsv(readText(dataDir, FILES.pre2025), VN_PRE2025),
      parseHierarchyCsv(readText(dataDir, FILES.v2025), VN_2025),
    ]);
    registryCache.set(key, reg);
  }
  return reg;
}

/** The old (pre2025) -> new (2025) commune mapping rows. */
export function loadMapping(dataDir?: string | URL): MappingRow[] {
  return parseMappingCsv(readText(dataDir, FILES.mapping));
}

/** The mapping as a Remapping (equal shares for split units unless `options.weights` says otherwise). */
export function loadRemapping(dataDir?: string | URL, options?: RemappingOptions): Remapping {
  return new Remapping(loadMapping(dataDir), options);
}
