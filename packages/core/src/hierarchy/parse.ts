/**
 * Parsers for the reference-data CSVs (data/vn-admin). They take text, not paths: reading files is the
 * job of @tally/reference-data.
 */
import { DomainError } from '../errors';
import { parseCsvObjects } from './csv';
import { Hierarchy } from './hierarchy';
import type { HierarchyVersion, OrgUnitInput } from './types';
import { VN_ROOT } from './versions';

export interface ParseHierarchyOptions {
  /** the national root added above the rows without a parent; default VN 'Việt Nam' */
  root?: { code: string; name: string; type?: string };
}

/**
 * Parses `code,name,type,level,parent_code` (UTF-8, header row; quoted fields allowed) into a Hierarchy.
 * Names are trimmed and NFC-normalised. Rows with an empty parent_code hang under the national root
 * (code 'VN', level = version.levels[0], name 'Việt Nam'), which is added unless the file has a row at the
 * top level itself. Throws DomainError('INVALID_REQUEST') on a malformed file or broken structure.
 */
export function parseHierarchyCsv(text: string, version: HierarchyVersion, options: ParseHierarchyOptions = {}): Hierarchy {
  const { rows } = parseCsvObjects(text, ['code', 'name', 'type', 'level', 'parent_code']);
  const topLevel = version.levels[0] as string;
  const fileRoot = rows.find((r) => r.level === topLevel && !r.parent_code);
  const root = options.root ?? VN_ROOT;
  const rootCode = fileRoot ? (fileRoot.code as string) : root.code;
  const units: OrgUnitInput[] = [];
  if (!fileRoot) units.push({ code: root.code, name: root.name, type: root.type ?? VN_ROOT.type, level: topLevel, parentCode: null, shortName: root.name });
  rows.forEach((r, i) => {
    const code = r.code ?? '';
    if (!code) throw new DomainError('INVALID_REQUEST', `hierarchy CSV line ${i + 2}: empty code`, { line: i + 2 });
    const level = r.level ?? '';
    const parent = r.parent_code ?? '';
    units.push({
      code,
      name: r.name ?? '',
      type: r.type ?? '',
      level,
      parentCode: level === topLevel && !parent ? null : parent || rootCode,
    });
  });
  return new Hierarchy(version, units);
}

export type MappingMergeType = 'full' | 'partial';

/** One row of the old -> new mapping (vn_admin_2025_old_to_new.csv). */
export interface MappingRow {
  /** pre-2025 code (a commune, or for 5 island districts a district) */
  oldCode: string;
  /** 2025 commune code */
  newCode: string;
  /** full = the whole old unit went into the new commune; partial = only part of it did */
  mergeType: MappingMergeType;
  /** 'commune' or 'district' */
  oldLevel: string;
  /** '' when none */
  note: string;
  oldName: string;
  newName: string;
}

/**
 * Parses `old_commune_code,new_commune_code,merge_type,old_level,old_name,new_name,note`.
 * Throws DomainError('INVALID_REQUEST') on a missing column, empty code or unknown merge_type.
 */
export function parseMappingCsv(text: string): MappingRow[] {
  const { rows } = parseCsvObjects(text, ['old_commune_code', 'new_commune_code', 'merge_type']);
  return rows.map((r, i) => {
    const line = i + 2;
    const oldCode = r.old_commune_code ?? '';
    const newCode = r.new_commune_code ?? '';
    const mergeType = r.merge_type ?? '';
    if (!oldCode || !newCode) throw new DomainError('INVALID_REQUEST', `mapping CSV line ${line}: empty code`, { line });
    if (mergeType !== 'full' && mergeType !== 'partial') {
      throw new DomainError('INVALID_REQUEST', `mapping CSV line ${line}: merge_type must be full or partial, got "${mergeType}"`, { line });
    }
    return {
      oldCode,
      newCode,
      mergeType,
      oldLevel: r.old_level || 'commune',
      note: r.note ?? '',
      oldName: r.old_name ?? '',
      newName: r.new_name ?? '',
    };
  });
}
