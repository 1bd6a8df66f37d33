import type { Catalog } from './types';

type Dated = Pick<Catalog, 'version' | 'effectiveFrom' | 'effectiveTo'>;

/** A run of days, both ends inclusive; null = open (since always / with no end). */
export interface DateSpan {
  from: string | null;
  to: string | null;
}

/** Where a newly published version took over from another: the days it now governs instead. */
export interface Displacement extends DateSpan {
  version: string;
}

/**
 * The catalog version in force on a date (ISO `YYYY-MM-DD`; a longer ISO timestamp is cut to its date):
 * among catalogs with effectiveFrom <= date (absent = since always) and date <= effectiveTo (absent =
 * open-ended, both inclusive), the one with the latest effectiveFrom. Among candidates with the same
 * effectiveFrom, the one published last wins: `catalogs` is in publication order (the catalog stream's
 * order), so publishing a version always makes it govern the days from its effectiveFrom up to the next
 * later-starting version (or its own effectiveTo). The version string plays no part. Undefined when no
 * catalog is in force.
 */
export function catalogInForce<C extends Dated>(catalogs: readonly C[], date: string): C | undefined {
  const day = date.slice(0, 10);
  let best: C | undefined;
  for (const c of catalogs) {
    if (c.effectiveFrom !== undefined && c.effectiveFrom > day) continue;
    if (c.effectiveTo !== undefined && c.effectiveTo < day) continue;
    // `>=`: a later publication with the same start replaces the earlier one
    if (!best || (c.effectiveFrom ?? '') >= (best.effectiveFrom ?? '')) best = c;
  }
  return best;
}

/**
 * The days on which `version` is in force among `catalogs` (publication order), as the fewest spans in
 * date order; empty when a later-starting or later-published version covers all of its range.
 */
export function daysGoverned(catalogs: readonly Dated[], version: string): DateSpan[] {
  return merge(segments(catalogs).filter((s) => catalogInForce(catalogs, s.probe)?.version === version));
}

/**
 * What publishing `published` (the last of `catalogs`, in publication order) changed: the days it now
 * governs and, on those days, which versions were in force before (none where no catalog was).
 */
export function publicationEffect(catalogs: readonly Dated[], published: string): { governs: DateSpan[]; displaced: Displacement[] } {
  const index = catalogs.findIndex((c) => c.version === published);
  const before = index < 0 ? catalogs : catalogs.slice(0, index);
  const after = index < 0 ? catalogs : catalogs.slice(0, index + 1);
  const governed = segments(after).filter((s) => catalogInForce(after, s.probe)?.version === published);
  const displaced: Displacement[] = [];
  for (const s of governed) {
    const previous = catalogInForce(before, s.probe)?.version;
    if (previous === undefined) continue;
    const last = displaced[displaced.length - 1];
    if (last && last.version === previous && last.to !== null && nextDay(last.to) === s.from) last.to = s.to;
    else displaced.push({ version: previous, from: s.from, to: s.to });
  }
  return { governs: merge(governed), displaced };
}

interface Segment extends DateSpan {
  /** a day inside the span (its first day, or a day before every boundary for the open start) */
  probe: string;
}

/** The day line cut at every catalog's start and the day after its end: on each piece one catalog rules. */
function segments(catalogs: readonly Dated[]): Segment[] {
  const cuts = new Set<string>();
  for (const c of catalogs) {
    if (c.effectiveFrom !== undefined) cuts.add(c.effectiveFrom);
    if (c.effectiveTo !== undefined) cuts.add(nextDay(c.effectiveTo));
  }
  const starts = [...cuts].sort();
  const out: Segment[] = [{ from: null, to: starts[0] === undefined ? null : previousDay(starts[0]), probe: '0000-01-01' }];
  starts.forEach((from, i) => {
    const next = starts[i + 1];
    out.push({ from, to: next === undefined ? null : previousDay(next), probe: from });
  });
  return out;
}

function merge(spans: readonly DateSpan[]): DateSpan[] {
  const out: DateSpan[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last && last.to !== null && s.from !== null && nextDay(last.to) === s.from) last.to = s.to;
    else out.push({ from: s.from, to: s.to });
  }
  return out;
}

function nextDay(day: string): string {
  return shift(day, 1);
}

function previousDay(day: string): string {
  return shift(day, -1);
}

function shift(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
