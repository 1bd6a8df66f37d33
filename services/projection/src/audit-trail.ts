import type { StoredEvent } from '@tally/contracts';
import { toCsv, type CellValue, type DataValue, type ReportValuesData } from '@tally/core';

/**
 * A report's audit trail, straight from its events: who did what, when, from where and why, and for submissions
 * and amendments which values changed (before -> after). Pure.
 */
export interface ValueChange {
  dataElement: string;
  optionCombo?: string;
  before: DataValue['value'] | null;
  after: DataValue['value'] | null;
}

export interface AuditEntry {
  version: number;
  position: number;
  time: string;
  event: string;
  /** unitHierarchy: the map the account's unit was read in by the access check; checkedIn: the target's map when the check crossed maps */
  actor: { id: string; role?: string; orgUnit?: string; origin?: string; unitHierarchy?: string; checkedIn?: string };
  reason?: string;
  correlationId: string;
  level?: string;
  submissionId?: string;
  figures?: string;
  changes?: ValueChange[];
}

const valueKey = (v: { dataElement: string; optionCombo?: string }) => `${v.dataElement}.${v.optionCombo ?? ''}`;

export function auditTrail(events: StoredEvent[]): AuditEntry[] {
  let values = new Map<string, DataValue>();
  const out: AuditEntry[] = [];
  for (const e of events) {
    if (!e.type.startsWith('tally.report.')) continue;
    const data = e.data as Partial<ReportValuesData> & { level?: string; reason?: string };
    const entry: AuditEntry = {
      version: e.streamVersion,
      position: e.position,
      time: e.time,
      event: e.type,
      actor: { id: e.actor.id, ...pick(e.actor, ['role', 'orgUnit', 'origin', 'unitHierarchy', 'checkedIn']) },
      correlationId: e.correlationId,
      ...(e.reason ?? data.reason ? { reason: e.reason ?? data.reason } : {}),
      ...(typeof data.level === 'string' ? { level: data.level } : {}),
    };
    if ((e.type === 'tally.report.submitted' || e.type === 'tally.report.amended') && Array.isArray(data.values)) {
      const next = new Map(data.values.map((v) => [valueKey(v), v]));
      const changes: ValueChange[] = [];
      for (const [k, v] of next) {
        const before = values.get(k);
        if (!before || before.value !== v.value) changes.push({ dataElement: v.dataElement, ...(v.optionCombo ? { optionCombo: v.optionCombo } : {}), before: before?.value ?? null, after: v.value });
      }
      for (const [k, v] of values) {
        if (!next.has(k)) changes.push({ dataElement: v.dataElement, ...(v.optionCombo ? { optionCombo: v.optionCombo } : {}), before: v.value, after: null });
      }
      values = next;
      Object.assign(entry, { ...(data.submissionId ? { submissionId: data.submissionId } : {}), ...(data.figures ? { figures: data.figures } : {}), changes });
    }
    out.push(entry);
  }
  return out;
}

/** Only the entries touching one value (and with only that value's changes). */
export function auditOfValue(entries: AuditEntry[], dataElement: string, optionCombo?: string): AuditEntry[] {
  return entries
    .map((e) => (e.changes ? { ...e, changes: e.changes.filter((c) => c.dataElement === dataElement && (optionCombo === undefined || c.optionCombo === optionCombo)) } : e))
    .filter((e) => !e.changes || e.changes.length > 0);
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

export const AUDIT_CSV_COLUMNS = [
  'version',
  'position',
  'time',
  'event',
  'actor',
  'actor_role',
  'actor_org_unit',
  'origin',
  'reason',
  'level',
  'submission_id',
  'data_element',
  'option_combo',
  'old_value',
  'new_value',
  'correlation_id',
  'actor_unit_hierarchy',
  'checked_in_hierarchy',
] as const;

/** One row per event, and per changed value for submissions and amendments. RFC 4180, formula-injection safe. */
export function auditCsv(entries: AuditEntry[]): string {
  const rows: CellValue[][] = [];
  for (const e of entries) {
    const base = [e.version, e.position, e.time, e.event, e.actor.id, e.actor.role ?? '', e.actor.orgUnit ?? '', e.actor.origin ?? '', e.reason ?? '', e.level ?? '', e.submissionId ?? ''];
    const changes = e.changes && e.changes.length > 0 ? e.changes.map((c) => [c.dataElement, c.optionCombo ?? '', c.before ?? '', c.after ?? '']) : [['', '', '', '']];
    for (const r of changes) rows.push([...base, ...r, e.correlationId, e.actor.unitHierarchy ?? '', e.actor.checkedIn ?? '']);
  }
  return toCsv(AUDIT_CSV_COLUMNS, rows);
}
