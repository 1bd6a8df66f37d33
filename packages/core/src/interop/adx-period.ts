import { parsePeriod } from '../period/period';

/**
 * ADX writes a period as its first day and an ISO 8601 duration (2026-01-01/P6M); Tally (like DHIS2's other
 * formats) as a period code (2026S1). Only the period types Tally has are read: P1M, P3M, P6M, P1Y, each starting
 * where such a period starts.
 */
const DURATION: Record<string, string> = { MONTHLY: 'P1M', QUARTERLY: 'P3M', SIXMONTHLY: 'P6M', YEARLY: 'P1Y' };

export function adxPeriodOf(code: string): string | undefined {
  const p = parsePeriod(code);
  return p ? `${p.startDate}/${DURATION[p.type]}` : undefined;
}

export function periodFromAdx(text: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})\/(P1M|P3M|P6M|P1Y)$/.exec(text.trim());
  if (!m) return parsePeriod(text.trim()) ? text.trim() : undefined; // a plain period code is accepted too
  const [, y, mm, dd, d] = m as unknown as [string, string, string, string, string];
  const month = Number(mm);
  if (dd !== '01') return undefined;
  let code: string | undefined;
  if (d === 'P1M') code = `${y}${mm}`;
  else if (d === 'P3M' && (month - 1) % 3 === 0) code = `${y}Q${(month - 1) / 3 + 1}`;
  else if (d === 'P6M' && (month === 1 || month === 7)) code = `${y}S${month === 1 ? 1 : 2}`;
  else if (d === 'P1Y' && month === 1) code = y;
  return code && parsePeriod(code) ? code : undefined;
}
