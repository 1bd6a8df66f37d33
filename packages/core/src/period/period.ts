/**
 * Reporting periods, written as DHIS2 period codes:
 *   `2026`      YEARLY
 *   `2026S1`    SIXMONTHLY (S1 = Jan-Jun, S2 = Jul-Dec)
 *   `2026Q1`    QUARTERLY (Q1..Q4)
 *   `202601`    MONTHLY (01..12)
 * Dates are calendar dates `YYYY-MM-DD` (no time zone); all arithmetic is done in UTC so that it is
 * independent of the machine's zone. Pure: no I/O, no clock.
 */
import type { PeriodType } from '../catalog/types';
import { DomainError } from '../errors';

export interface Period {
  code: string;
  type: PeriodType;
  year: number;
  /** first day of the period, inclusive */
  startDate: string;
  /** last day of the period, inclusive */
  endDate: string;
}

export const MIN_PERIOD_YEAR = 2000;
export const MAX_PERIOD_YEAR = 2100;

/** Period types from finest to coarsest. */
export const PERIOD_TYPE_ORDER: readonly PeriodType[] = ['MONTHLY', 'QUARTERLY', 'SIXMONTHLY', 'YEARLY'];

const MONTHS_IN: Record<PeriodType, number> = { MONTHLY: 1, QUARTERLY: 3, SIXMONTHLY: 6, YEARLY: 12 };

const YEARLY_RE = /^(\d{4})$/;
const SIXMONTHLY_RE = /^(\d{4})S([12])$/;
const QUARTERLY_RE = /^(\d{4})Q([1-4])$/;
const MONTHLY_RE = /^(\d{4})(0[1-9]|1[0-2])$/;
const ISO_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** UTC epoch ms of a calendar date; day/month overflow rolls over (unlike Date.UTC, years 0..99 are not mapped to 19xx). */
function utcMs(year: number, month: number, day: number): number {
  const t = new Date(0);
  t.setUTCFullYear(year, month - 1, day);
  return t.getTime();
}

function daysInMonth(year: number, month: number): number {
  // day 0 of the next month = last day of this month
  return new Date(utcMs(year, month + 1, 0)).getUTCDate();
}

/** Rank of a period type: 0 = MONTHLY (finest) .. 3 = YEARLY (coarsest). */
export function periodTypeRank(type: PeriodType): number {
  return PERIOD_TYPE_ORDER.indexOf(type);
}

/** Builds the period of `type` that starts at 1-based `index` within `year` (month 1..12, quarter 1..4, half 1..2, year 1). */
function build(year: number, type: PeriodType, index: number): Period {
  const months = MONTHS_IN[type];
  const firstMonth = (index - 1) * months + 1;
  const lastMonth = firstMonth + months - 1;
  let code: string;
  switch (type) {
    case 'YEARLY':
      code = String(year);
      break;
    case 'SIXMONTHLY':
      code = `${year}S${index}`;
      break;
    case 'QUARTERLY':
      code = `${year}Q${index}`;
      break;
    case 'MONTHLY':
      code = `${year}${pad2(index)}`;
      break;
  }
  return {
    code,
    type,
    year,
    startDate: `${year}-${pad2(firstMonth)}-01`,
    endDate: `${year}-${pad2(lastMonth)}-${pad2(daysInMonth(year, lastMonth))}`,
  };
}

function validYear(year: number): boolean {
  return Number.isInteger(year) && year >= MIN_PERIOD_YEAR && year <= MAX_PERIOD_YEAR;
}

/** Parses a DHIS2 period code; null if it is not one of the four supported forms or the year is outside 2000..2100. */
export function parsePeriod(code: string): Period | null {
  if (typeof code !== 'string') return null;
  let m: RegExpExecArray | null;
  let type: PeriodType;
  let index: number;
  if ((m = YEARLY_RE.exec(code))) {
    type = 'YEARLY';
    index = 1;
  } else if ((m = SIXMONTHLY_RE.exec(code))) {
    type = 'SIXMONTHLY';
    index = Number(m[2]);
  } else if ((m = QUARTERLY_RE.exec(code))) {
    type = 'QUARTERLY';
    index = Number(m[2]);
  } else if ((m = MONTHLY_RE.exec(code))) {
    type = 'MONTHLY';
    index = Number(m[2]);
  } else {
    return null;
  }
  const year = Number(m[1]);
  if (!validYear(year)) return null;
  return build(year, type, index);
}

/** Like parsePeriod but throws DomainError('INVALID_PERIOD'). */
export function requirePeriod(code: string): Period {
  const p = parsePeriod(code);
  if (!p) throw new DomainError('INVALID_PERIOD', `invalid period code: ${JSON.stringify(code)}`);
  return p;
}

export function isValidPeriod(code: string): boolean {
  return parsePeriod(code) !== null;
}

/** Type of a period code, or null if invalid. */
export function periodTypeOf(code: string): PeriodType | null {
  return parsePeriod(code)?.type ?? null;
}

/** All periods of `type` in `year`, in order (12 months, 4 quarters, 2 halves or 1 year). */
export function periodsOfType(year: number, type: PeriodType): Period[] {
  if (!validYear(year)) throw new DomainError('INVALID_PERIOD', `year out of range ${MIN_PERIOD_YEAR}..${MAX_PERIOD_YEAR}: ${year}`);
  const n = 12 / MONTHS_IN[type];
  const out: Period[] = [];
  for (let i = 1; i <= n; i++) out.push(build(year, type, i));
  return out;
}

/** The period of `type` that contains calendar date `isoDate` (YYYY-MM-DD); null if the date is invalid or out of range. */
export function periodContaining(isoDate: string, type: PeriodType): Period | null {
  const d = parseIsoDate(isoDate);
  if (!d || !validYear(d.year)) return null;
  const index = Math.floor((d.month - 1) / MONTHS_IN[type]) + 1;
  return build(d.year, type, index);
}

/**
 * The codes of the strictly coarser periods containing `code`, finest first:
 * month -> [quarter, half, year]; quarter -> [half, year]; half -> [year]; year -> [].
 * Invalid code -> [].
 */
export function coarserPeriods(code: string): string[] {
  const p = parsePeriod(code);
  if (!p) return [];
  const out: string[] = [];
  for (let r = periodTypeRank(p.type) + 1; r < PERIOD_TYPE_ORDER.length; r++) {
    const t = PERIOD_TYPE_ORDER[r] as PeriodType;
    const c = periodContaining(p.startDate, t);
    if (c) out.push(c.code);
  }
  return out;
}

/**
 * The codes of the periods of `type` that lie within `code`, in order.
 * Same type -> [code]; a coarser `type` (or an invalid code) -> [].
 * E.g. finerPeriods('2026S2', 'QUARTERLY') = ['2026Q3', '2026Q4'].
 */
export function finerPeriods(code: string, type: PeriodType): string[] {
  const p = parsePeriod(code);
  if (!p) return [];
  if (periodTypeRank(type) > periodTypeRank(p.type)) return [];
  return periodsOfType(p.year, type)
    .filter((q) => q.startDate >= p.startDate && q.endDate <= p.endDate)
    .map((q) => q.code);
}

/** True if period `inner` lies within period `outer` (a period contains itself). */
export function periodContains(outer: string, inner: string): boolean {
  const o = parsePeriod(outer);
  const i = parsePeriod(inner);
  return !!o && !!i && o.startDate <= i.startDate && i.endDate <= o.endDate;
}

/** Compares periods by start date, then finer first. For sorting. */
export function comparePeriods(a: string, b: string): number {
  const pa = requirePeriod(a);
  const pb = requirePeriod(b);
  if (pa.startDate !== pb.startDate) return pa.startDate < pb.startDate ? -1 : 1;
  return periodTypeRank(pa.type) - periodTypeRank(pb.type);
}

/** The next (n > 0) or previous (n < 0) period of the same type; null outside 2000..2100 or for an invalid code. */
export function shiftPeriod(code: string, n: number): string | null {
  const p = parsePeriod(code);
  if (!p || !Number.isInteger(n)) return null;
  const perYear = 12 / MONTHS_IN[p.type];
  const index = Math.floor((Number(p.startDate.slice(5, 7)) - 1) / MONTHS_IN[p.type]);
  const abs = p.year * perYear + index + n;
  const year = Math.floor(abs / perYear);
  if (!validYear(year)) return null;
  return build(year, p.type, (abs % perYear) + 1).code;
}

interface YMD {
  year: number;
  month: number;
  day: number;
}

function parseIsoDate(date: string): YMD | null {
  const m = typeof date === 'string' ? ISO_DATE_RE.exec(date) : null;
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(date: string): boolean {
  return parseIsoDate(date) !== null;
}

function formatUtcDate(d: Date): string {
  const y = d.getUTCFullYear();
  if (y < 0 || y > 9999) throw new DomainError('INVALID_REQUEST', `date out of range: year ${y}`);
  return `${String(y).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

/** Adds `n` days (may be negative) to a calendar date YYYY-MM-DD. Throws DomainError('INVALID_REQUEST') on a bad date. */
export function addDays(date: string, n: number): string {
  const d = parseIsoDate(date);
  if (!d) throw new DomainError('INVALID_REQUEST', `invalid date (expected YYYY-MM-DD): ${JSON.stringify(date)}`);
  if (!Number.isInteger(n)) throw new DomainError('INVALID_REQUEST', `day count must be an integer: ${n}`);
  return formatUtcDate(new Date(utcMs(d.year, d.month, d.day + n)));
}

/** Whole days from date `a` to date `b` (b - a). */
export function daysBetween(a: string, b: string): number {
  const da = parseIsoDate(a);
  const db = parseIsoDate(b);
  if (!da || !db) throw new DomainError('INVALID_REQUEST', `invalid date: ${JSON.stringify(da ? b : a)}`);
  return Math.round((utcMs(db.year, db.month, db.day) - utcMs(da.year, da.month, da.day)) / 86_400_000);
}

export const DEFAULT_TIER_STEP_DAYS = 5;

/**
 * The deadline (a calendar date, inclusive) for a report of `periodCode` at tier `tierIndex`.
 *
 * Rule (deadlines cascade, Decree 09/2019: each tier's deadline is later than the tier below):
 *   tier k deadline = period end date + daysAfterEnd + k * tierStepDays
 * where tier 0 is the reporting level (e.g. commune), tier 1 the level it reports to (district before
 * 2025-07-01, province after), and so on up the hierarchy. With daysAfterEnd = 10 and the default step of
 * 5 days, a 2026Q1 commune report is due 2026-04-10, the next tier 2026-04-15, the next 2026-04-20.
 *
 * Throws DomainError('INVALID_PERIOD') for an invalid code and DomainError('INVALID_REQUEST') for a
 * negative or non-integer tier, day count or step.
 */
export function deadlineFor(periodCode: string, daysAfterEnd: number, tierIndex: number, tierStepDays = DEFAULT_TIER_STEP_DAYS): string {
  const p = requirePeriod(periodCode);
  if (!Number.isInteger(tierIndex) || tierIndex < 0) throw new DomainError('INVALID_REQUEST', `tier index must be an integer >= 0: ${tierIndex}`);
  if (!Number.isInteger(daysAfterEnd) || daysAfterEnd < 0) throw new DomainError('INVALID_REQUEST', `daysAfterEnd must be an integer >= 0: ${daysAfterEnd}`);
  if (!Number.isInteger(tierStepDays) || tierStepDays < 1) throw new DomainError('INVALID_REQUEST', `tierStepDays must be an integer >= 1: ${tierStepDays}`);
  return addDays(p.endDate, daysAfterEnd + tierIndex * tierStepDays);
}

/**
 * The calendar date YYYY-MM-DD of an ISO-8601 instant (e.g. '2026-04-10T18:30:00Z').
 * By default the date is taken in UTC; pass `utcOffsetMinutes` (e.g. 420 for Vietnam, UTC+7) to take the
 * local date there. An instant without a zone designator is read as UTC. A bare date 'YYYY-MM-DD' is returned as is. Throws DomainError('INVALID_REQUEST') if unparseable.
 */
export function isoDateOf(instantIso: string, utcOffsetMinutes = 0): string {
  if (isIsoDate(instantIso)) return instantIso;
  if (typeof instantIso !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(instantIso)) {
    throw new DomainError('INVALID_REQUEST', `invalid instant: ${JSON.stringify(instantIso)}`);
  }
  // an instant without a zone designator is read as UTC, never as the machine's local time
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(instantIso) ? instantIso : `${instantIso}Z`;
  const ms = Date.parse(zoned);
  if (Number.isNaN(ms)) throw new DomainError('INVALID_REQUEST', `invalid instant: ${JSON.stringify(instantIso)}`);
  return formatUtcDate(new Date(ms + utcOffsetMinutes * 60_000));
}
