/**
 * An in-memory, immutable administrative hierarchy for one HierarchyVersion.
 * Built once (O(n)); lookups by code, parent and children are O(1); counts of descendants at a level are
 * computed once per level (O(n x depth)) and then O(1). Pure: no I/O.
 */
import { DomainError } from '../errors';
import { foldVietnamese, shortNameOf } from './text';
import type { HierarchyChange, HierarchyVersion, OrgUnit, OrgUnitInput } from './types';

export interface OrgUnitSearchOptions {
  /** at most this many results (default: all) */
  limit?: number;
  /** only units at this level */
  level?: string;
  /** only units in the subtree of this code (inclusive) */
  within?: string;
}

interface SearchEntry {
  unit: OrgUnit;
  name: string;
  shortName: string;
  words: Set<string>;
}

function toUnit(u: OrgUnitInput): OrgUnit {
  const name = u.name.trim().normalize('NFC');
  const type = u.type.trim().normalize('NFC');
  return Object.freeze({
    code: u.code.trim(),
    name,
    shortName: (u.shortName ?? shortNameOf(name, type)).normalize('NFC'),
    type,
    level: u.level.trim(),
    parentCode: u.parentCode === null || u.parentCode === '' ? null : u.parentCode.trim(),
  });
}

function invalid(message: string, details?: unknown): DomainError {
  return new DomainError('INVALID_REQUEST', message, details);
}

export class Hierarchy {
  readonly version: HierarchyVersion;
  private readonly ordered: readonly OrgUnit[];
  private readonly byCode = new Map<string, OrgUnit>();
  private readonly childCodes = new Map<string, string[]>();
  private readonly levelIdx = new Map<string, number>();
  private readonly countsByLevel = new Map<string, Map<string, number>>();
  private searchIndex: SearchEntry[] | undefined;

  /**
   * Validates and indexes the units: codes unique and non-empty, every level one of version.levels, roots
   * (parentCode null) at the top level, every parent present and at a higher level than its child (so
   * there are no cycles). Throws DomainError('INVALID_REQUEST') otherwise.
   */
  constructor(version: HierarchyVersion, units: Iterable<OrgUnitInput>) {
    if (!version.id) throw invalid('hierarchy version needs an id');
    if (version.levels.length === 0) throw invalid(`hierarchy version ${version.id} has no levels`);
    this.version = Object.freeze({ ...version, levels: [...version.levels] });
    version.levels.forEach((l, i) => {
      if (this.levelIdx.has(l)) throw invalid(`duplicate level "${l}" in hierarchy version ${version.id}`);
      this.levelIdx.set(l, i);
    });
    const ordered: OrgUnit[] = [];
    for (const input of units) {
      const u = toUnit(input);
      if (!u.code) throw invalid('org unit with an empty code', { unit: input });
      if (this.byCode.has(u.code)) throw invalid(`duplicate org unit code ${u.code}`, { code: u.code });
      if (!this.levelIdx.has(u.level)) throw invalid(`org unit ${u.code}: unknown level "${u.level}" (levels: ${version.levels.join(', ')})`, { code: u.code });
      this.byCode.set(u.code, u);
      ordered.push(u);
    }
    for (const u of ordered) {
      if (u.parentCode === null) {
        if (this.levelIdx.get(u.level) !== 0) throw invalid(`org unit ${u.code} has no parent but is not at the top level "${version.levels[0]}"`, { code: u.code });
        continue;
      }
      const parent = this.byCode.get(u.parentCode);
      if (!parent) throw invalid(`org unit ${u.code}: parent ${u.parentCode} does not exist`, { code: u.code, parentCode: u.parentCode });
      if ((this.levelIdx.get(parent.level) as number) >= (this.levelIdx.get(u.level) as number)) {
        throw invalid(`org unit ${u.code} (${u.level}) cannot sit under ${parent.code} (${parent.level})`, { code: u.code, parentCode: parent.code });
      }
      let list = this.childCodes.get(u.parentCode);
      if (!list) this.childCodes.set(u.parentCode, (list = []));
      list.push(u.code);
    }
    this.ordered = Object.freeze(ordered);
  }

  /** Number of units (incl. the root). */
  get size(): number {
    return this.ordered.length;
  }

  get levels(): readonly string[] {
    return this.version.levels;
  }

  /** The top-level units (normally just the country 'VN'). */
  roots(): OrgUnit[] {
    return this.ordered.filter((u) => u.parentCode === null);
  }

  has(code: string): boolean {
    return this.byCode.has(code);
  }

  get(code: string): OrgUnit | undefined {
    return this.byCode.get(code);
  }

  /** Like get, but throws DomainError('UNKNOWN_ORG_UNIT'). */
  require(code: string): OrgUnit {
    const u = this.byCode.get(code);
    if (!u) throw new DomainError('UNKNOWN_ORG_UNIT', `unknown org unit ${code} in hierarchy ${this.version.id}`, { code, hierarchy: this.version.id });
    return u;
  }

  parentOf(code: string): OrgUnit | undefined {
    const p = this.byCode.get(code)?.parentCode;
    return p == null ? undefined : this.byCode.get(p);
  }

  /** Direct children in source order; [] for a leaf or an unknown code. */
  childrenOf(code: string): OrgUnit[] {
    return (this.childCodes.get(code) ?? []).map((c) => this.byCode.get(c) as OrgUnit);
  }

  /** Ancestors, parent first, up to the root; excludes the unit itself. [] for the root or an unknown code. */
  ancestorsOf(code: string): OrgUnit[] {
    const out: OrgUnit[] = [];
    let u = this.byCode.get(code);
    while (u && u.parentCode !== null) {
      u = this.byCode.get(u.parentCode);
      if (u) out.push(u);
    }
    return out;
  }

  /** Root ... unit (inclusive). [] for an unknown code. */
  pathOf(code: string): OrgUnit[] {
    const u = this.byCode.get(code);
    if (!u) return [];
    const path = this.ancestorsOf(code).reverse();
    path.push(u);
    return path;
  }

  /** True if `ancestor` is `code` or one of its ancestors. */
  isWithin(code: string, ancestor: string): boolean {
    let u = this.byCode.get(code);
    while (u) {
      if (u.code === ancestor) return true;
      u = u.parentCode === null ? undefined : this.byCode.get(u.parentCode);
    }
    return false;
  }

  /** The ancestor-or-self of `code` at `level`, if any (e.g. the province of a commune). */
  ancestorAtLevel(code: string, level: string): OrgUnit | undefined {
    let u = this.byCode.get(code);
    while (u) {
      if (u.level === level) return u;
      u = u.parentCode === null ? undefined : this.byCode.get(u.parentCode);
    }
    return undefined;
  }

  /** Index of a level in version.levels (0 = top), or -1 if the level is not part of this version. */
  levelIndex(level: string): number {
    return this.levelIdx.get(level) ?? -1;
  }

  /** Descendants of `code` at `level`, in depth-first source order. [] if the level is not below the unit. */
  descendantsAtLevel(code: string, level: string): OrgUnit[] {
    const start = this.byCode.get(code);
    const target = this.levelIdx.get(level);
    if (!start || target === undefined || target <= (this.levelIdx.get(start.level) as number)) return [];
    const out: OrgUnit[] = [];
    const stack: string[] = [...(this.childCodes.get(code) ?? [])].reverse();
    while (stack.length > 0) {
      const c = stack.pop() as string;
      const u = this.byCode.get(c) as OrgUnit;
      if (u.level === level) {
        out.push(u);
        continue;
      }
      const kids = this.childCodes.get(c);
      if (kids) for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i] as string);
    }
    return out;
  }

  /** Number of descendants of `code` at `level`. The first call per level indexes all units; later calls are O(1). */
  countDescendantsAtLevel(code: string, level: string): number {
    let counts = this.countsByLevel.get(level);
    if (!counts) {
      counts = new Map<string, number>();
      for (const u of this.ordered) {
        if (u.level !== level) continue;
        let p = u.parentCode;
        while (p !== null) {
          counts.set(p, (counts.get(p) ?? 0) + 1);
          p = this.byCode.get(p)?.parentCode ?? null;
        }
      }
      this.countsByLevel.set(level, counts);
    }
    return counts.get(code) ?? 0;
  }

  /** All units in source order (root first), optionally only those at `level`. */
  units(level?: string): OrgUnit[] {
    return level === undefined ? [...this.ordered] : this.ordered.filter((u) => u.level === level);
  }

  /**
   * Accent- and case-insensitive search over names (see foldVietnamese): 'phu luong' finds 'Phú Lương'.
   * Every word of the query must be a word of the full name, except the last, which may be the start of
   * a word (type-ahead): 'phu luo' finds 'Phú Lương' but 'phu luong' does not find 'Phường Tích Lương'.
   * Ranked: exact short or full name, then short name starting with the query, then the query as
   * consecutive words of the name, then words in any order; ties by level (higher levels first), then
   * source order.
   */
  search(query: string, options: OrgUnitSearchOptions = {}): OrgUnit[] {
    const q = foldVietnamese(query);
    if (!q) return [];
    const words = q.split(' ');
    const whole = words.slice(0, -1);
    const last = words[words.length - 1] as string;
    if (!this.searchIndex) {
      this.searchIndex = this.ordered.map((unit) => {
        const name = foldVietnamese(unit.name);
        return { unit, name, shortName: foldVietnamese(unit.shortName), words: new Set(name.split(' ')) };
      });
    }
    const hits: Array<{ unit: OrgUnit; rank: number; level: number; pos: number }> = [];
    this.searchIndex.forEach((e, pos) => {
      if (options.level !== undefined && e.unit.level !== options.level) return;
      if (!whole.every((w) => e.words.has(w))) return;
      if (!e.words.has(last) && !` ${e.name}`.includes(` ${last}`)) return;
      if (options.within !== undefined && !this.isWithin(e.unit.code, options.within)) return;
      let rank: number;
      if (e.shortName === q || e.name === q) rank = 0;
      else if (e.shortName.startsWith(q)) rank = 1;
      else if (` ${e.name}`.includes(` ${q}`)) rank = 2;
      else rank = 3;
      hits.push({ unit: e.unit, rank, level: this.levelIdx.get(e.unit.level) as number, pos });
    });
    hits.sort((a, b) => a.rank - b.rank || a.level - b.level || a.pos - b.pos);
    const limited = options.limit !== undefined ? hits.slice(0, Math.max(0, options.limit)) : hits;
    return limited.map((h) => h.unit);
  }

  /**
   * Applies one mutation event and returns a new Hierarchy (this one is unchanged). The result keeps this
   * version unless `version` is given (e.g. to start a new map version). See HierarchyChange for the rules.
   * Throws DomainError('UNKNOWN_ORG_UNIT') for an unknown code and DomainError('INVALID_REQUEST') for a
   * change that would break the structure.
   */
  withChange(change: HierarchyChange, version: HierarchyVersion = this.version): Hierarchy {
    return this.withChanges([change], version);
  }

  /** Applies several changes in order (validated once at the end, plus per-change checks). */
  withChanges(changes: readonly HierarchyChange[], version: HierarchyVersion = this.version): Hierarchy {
    // working copy: code -> unit, in order (Map keeps insertion order)
    const work = new Map<string, OrgUnitInput>(this.ordered.map((u) => [u.code, { ...u }]));
    const need = (code: string): OrgUnitInput => {
      const u = work.get(code);
      if (!u) throw new DomainError('UNKNOWN_ORG_UNIT', `unknown org unit ${code} in hierarchy ${this.version.id}`, { code });
      return u;
    };
    const childrenIn = (code: string): OrgUnitInput[] => [...work.values()].filter((u) => u.parentCode === code);
    const retire = (code: string): void => {
      need(code);
      const kids = childrenIn(code);
      if (kids.length > 0) throw invalid(`cannot retire ${code}: it still has ${kids.length} children (move or retire them first)`, { code });
      work.delete(code);
    };
    for (const change of changes) {
      switch (change.kind) {
        case 'rename': {
          const u = need(change.code);
          const type = change.type ?? u.type;
          work.set(u.code, { ...u, name: change.name, type, shortName: shortNameOf(change.name.trim().normalize('NFC'), type) });
          break;
        }
        case 'move': {
          const u = need(change.code);
          need(change.newParentCode);
          work.set(u.code, { ...u, parentCode: change.newParentCode });
          break;
        }
        case 'create': {
          if (work.has(change.unit.code)) throw invalid(`cannot create ${change.unit.code}: the code exists`, { code: change.unit.code });
          if (change.unit.parentCode) need(change.unit.parentCode);
          work.set(change.unit.code, { ...change.unit });
          break;
        }
        case 'retire':
          retire(change.code);
          break;
        case 'merge': {
          const into = need(change.into);
          for (const code of change.codes) {
            if (code === change.into) continue;
            const u = need(code);
            if (u.level !== into.level) throw invalid(`cannot merge ${code} (${u.level}) into ${into.code} (${into.level})`, { code, into: into.code });
            for (const kid of childrenIn(code)) work.set(kid.code, { ...kid, parentCode: into.code });
            retire(code);
          }
          break;
        }
        case 'split': {
          const orig = need(change.code);
          if (change.parts.length === 0) throw invalid(`split of ${change.code} needs at least one part`);
          const partCodes = new Set(change.parts.map((p) => p.code));
          for (const p of change.parts) {
            if (p.code !== orig.code && work.has(p.code)) throw invalid(`split part ${p.code} already exists`, { code: p.code });
            const parentCode = p.parentCode ?? orig.parentCode;
            if (parentCode) need(parentCode);
            work.set(p.code, { code: p.code, name: p.name, type: p.type, level: orig.level, parentCode });
          }
          for (const kid of childrenIn(orig.code)) {
            const target = change.assign?.[kid.code];
            if (!target || !partCodes.has(target)) throw invalid(`split of ${orig.code}: child ${kid.code} is not assigned to a part`, { code: kid.code });
            work.set(kid.code, { ...kid, parentCode: target });
          }
          if (!partCodes.has(orig.code)) retire(orig.code);
          break;
        }
        default: {
          const never: never = change;
          throw invalid(`unknown hierarchy change ${JSON.stringify(never)}`);
        }
      }
    }
    return new Hierarchy(version, work.values());
  }
}
