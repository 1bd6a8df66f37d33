import { DomainError } from '../errors';
import type { Catalog } from '../catalog/types';

/**
 * What an open dataset holds, as data a central administrator defines: which figures (data elements of
 * templates, indicators), at which levels of the hierarchy, for which periods, under which licence, from
 * which publisher, how often it is updated, when releases are cut and which small cells are suppressed.
 * Words follow DCAT (publisher, licence, accrual periodicity) and Frictionless (title, description).
 */
export interface LocalizedText {
  vi: string;
  en: string;
}

export type DatasetFigures = 'official' | 'estimate' | 'latest';

/** DCAT's accrual periodicity, as the EU frequency authority names it (lower case). */
export const UPDATE_FREQUENCIES = ['continuous', 'monthly', 'quarterly', 'biannual', 'annual', 'irregular'] as const;
export type UpdateFrequency = (typeof UPDATE_FREQUENCIES)[number];

export interface Licence {
  /** SPDX-style identifier, e.g. CC-BY-4.0 */
  id: string;
  title: string;
  url: string;
}

export const CC_BY_4: Licence = { id: 'CC-BY-4.0', title: 'Creative Commons Attribution 4.0 International', url: 'https://creativecommons.org/licenses/by/4.0/' };

export interface Publisher {
  name: string;
  url?: string;
  email?: string;
}

/** A release calendar entry: cut the release at `at`; it stays embargoed (not public) until `embargoUntil`. */
export interface CalendarEntry {
  at: string;
  embargoUntil?: string;
}

/**
 * When releases are cut: `approved` (a report the dataset holds reaches its final approval), `locked` (it is
 * locked), `manual` (only by an administrator); `calendar` entries add scheduled releases to any of these.
 */
export interface ReleasePolicy {
  on: 'approved' | 'locked' | 'manual';
  calendar: CalendarEntry[];
}

/** Small-cell rule: counts in (0, minCount) at these levels are suppressed, with complementary suppression. */
export interface DisclosureRule {
  minCount: number;
  levels: string[];
  /** the count elements the rule applies to; absent = every INTEGER element aggregated by SUM */
  dataElements?: string[];
  /** suppress zeros too (a zero can reveal that nobody has an attribute); default false */
  suppressZero?: boolean;
}

export interface DatasetDefinition {
  id: string;
  title: LocalizedText;
  description: LocalizedText;
  /** templates whose data elements the dataset holds (all of them unless `dataElements` narrows) */
  templates: string[];
  /** data element codes; empty = every element of the templates */
  dataElements: string[];
  /** indicator codes (recomputed from rolled-up numerators and denominators) */
  indicators: string[];
  /** hierarchy levels whose units are rows, e.g. ['province'] */
  levels: string[];
  /** period codes; empty = every period that has data */
  periods: string[];
  figures: DatasetFigures;
  licence: Licence;
  publisher: Publisher;
  updateFrequency: UpdateFrequency;
  keywords: string[];
  release: ReleasePolicy;
  disclosure: DisclosureRule | null;
}

/** What an administrator sends: everything but the id, title and figures selection has a default. */
export type DatasetInput = Pick<DatasetDefinition, 'id' | 'title'> & Partial<Omit<DatasetDefinition, 'id' | 'title' | 'release'>> & { release?: Partial<ReleasePolicy> };

export const DEFAULT_DISCLOSURE: DisclosureRule = { minCount: 5, levels: ['commune'] };
export const DEFAULT_PUBLISHER: Publisher = { name: 'Tally' };
export const DATASET_ID = /^[a-z0-9][a-z0-9-]{0,79}$/;

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const isInstant = (s: string): boolean => INSTANT.test(s) && !Number.isNaN(Date.parse(s));
const uniq = <T>(xs: readonly T[]): T[] => [...new Set(xs)];

/** Applies the defaults (CC BY 4.0, official figures, releases on approval, counts under 5 at commune level suppressed) and checks the shape. */
export function normalizeDefinition(input: DatasetInput): DatasetDefinition {
  const problems: string[] = [];
  if (!DATASET_ID.test(input.id)) problems.push(`id "${input.id}" must be lower-case letters, digits and '-' (1-80)`);
  const calendar = (input.release?.calendar ?? []).map((c) => ({ at: c.at, ...(c.embargoUntil ? { embargoUntil: c.embargoUntil } : {}) }));
  for (const c of calendar) {
    if (!isInstant(c.at)) problems.push(`calendar entry at "${c.at}" is not an ISO 8601 instant`);
    if (c.embargoUntil !== undefined && (!isInstant(c.embargoUntil) || Date.parse(c.embargoUntil) < Date.parse(c.at))) {
      problems.push(`embargoUntil "${c.embargoUntil}" must be an instant not before ${c.at}`);
    }
  }
  const def: DatasetDefinition = {
    id: input.id,
    title: { vi: input.title.vi.trim(), en: input.title.en.trim() },
    description: { vi: input.description?.vi.trim() ?? '', en: input.description?.en.trim() ?? '' },
    templates: uniq(input.templates ?? []),
    dataElements: uniq(input.dataElements ?? []),
    indicators: uniq(input.indicators ?? []),
    levels: uniq(input.levels ?? ['province']),
    periods: uniq(input.periods ?? []).sort(),
    figures: input.figures ?? 'official',
    licence: input.licence ?? CC_BY_4,
    publisher: input.publisher ?? DEFAULT_PUBLISHER,
    updateFrequency: input.updateFrequency ?? 'irregular',
    keywords: uniq(input.keywords ?? []),
    release: { on: input.release?.on ?? 'approved', calendar: [...calendar].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)) },
    disclosure: input.disclosure === undefined ? DEFAULT_DISCLOSURE : input.disclosure,
  };
  if (!def.title.vi || !def.title.en) problems.push('title needs both vi and en');
  if (def.templates.length === 0 && def.dataElements.length === 0 && def.indicators.length === 0) problems.push('a dataset holds at least one template, data element or indicator');
  if (def.levels.length === 0) problems.push('levels must name at least one hierarchy level');
  if (def.disclosure && (!Number.isInteger(def.disclosure.minCount) || def.disclosure.minCount < 1)) problems.push('disclosure.minCount must be a positive integer');
  if (problems.length > 0) throw new DomainError('INVALID_DATASET', problems[0]!, { problems });
  return def;
}

/** Problems of a definition against a catalog: templates, data elements and indicators it names that the catalog lacks. */
export function definitionProblems(def: DatasetDefinition, catalog: Catalog): string[] {
  const templates = new Set(catalog.templates.map((t) => t.code));
  const elements = new Set(catalog.dataElements.map((e) => e.code));
  const indicators = new Set(catalog.indicators.map((i) => i.code));
  return [
    ...def.templates.filter((t) => !templates.has(t)).map((t) => `unknown template ${t} in catalog ${catalog.version}`),
    ...def.dataElements.filter((e) => !elements.has(e)).map((e) => `unknown data element ${e} in catalog ${catalog.version}`),
    ...def.indicators.filter((i) => !indicators.has(i)).map((i) => `unknown indicator ${i} in catalog ${catalog.version}`),
  ];
}

/** The data elements a dataset holds in a catalog: the named ones, else every element of its templates. */
export function datasetElements(def: DatasetDefinition, catalog: Catalog): string[] {
  if (def.dataElements.length > 0) return def.dataElements;
  const out = new Set<string>();
  for (const t of catalog.templates) if (def.templates.includes(t.code)) t.dataElements.forEach((e) => out.add(e));
  return [...out];
}

/** The count elements a disclosure rule applies to in a catalog. */
export function disclosureElements(rule: DisclosureRule, catalog: Catalog): Set<string> {
  if (rule.dataElements) return new Set(rule.dataElements);
  return new Set(catalog.dataElements.filter((e) => e.valueType === 'INTEGER' && e.aggregation === 'SUM').map((e) => e.code));
}
