import { describe, expect, it } from 'vitest';
import {
  assertNever,
  currentSchemaVersion,
  evolveReport,
  initialReportState,
  readEvent,
  reportStream,
  REPORT_EVENT_SCHEMA,
  UnknownSchemaVersionError,
  type EventSchema,
  type ReportEvent,
} from '@tally/core';

type Renamed = { type: 'unit.renamed'; data: { code: string; name: { vi: string; en: string } } };
/** v1 stored the name as one string; v2 has both languages. */
const unitSchema: EventSchema<Renamed> = {
  types: ['unit.renamed'],
  upcasters: { 'unit.renamed': { 1: (d) => ({ ...(d as object), name: { vi: (d as { name: string }).name, en: '' } }) } },
};

describe('event schemas and upcasting', () => {
  it('reads a version-1 event through the upcaster into the current shape', () => {
    expect(currentSchemaVersion(unitSchema, 'unit.renamed')).toBe(2);
    const v1 = { type: 'unit.renamed', schemaVersion: 1, data: { code: 'X01', name: 'Xã Tân Lập' } };
    expect(readEvent(unitSchema, v1)).toEqual({ type: 'unit.renamed', data: { code: 'X01', name: { vi: 'Xã Tân Lập', en: '' } } });
    const v2 = { type: 'unit.renamed', schemaVersion: 2, data: { code: 'X01', name: { vi: 'Tân Lập', en: 'Tan Lap' } } };
    expect(readEvent(unitSchema, v2)).toEqual({ type: 'unit.renamed', data: v2.data });
  });

  it('refuses an event written by a newer schema, and ignores types the schema does not list', () => {
    expect(() => readEvent(unitSchema, { type: 'unit.renamed', schemaVersion: 3, data: {} })).toThrow(UnknownSchemaVersionError);
    expect(readEvent(unitSchema, { type: 'unit.moved', schemaVersion: 1, data: {} })).toBeNull();
  });

  it('lists every report event type; all are at schema version 1', () => {
    for (const t of REPORT_EVENT_SCHEMA.types) expect(currentSchemaVersion(REPORT_EVENT_SCHEMA, t)).toBe(1);
    expect(reportStream.initialState()).toEqual(initialReportState());
  });
});

describe('exhaustive evolve', () => {
  it('fails loudly on an event type outside the union (and a new member would not compile)', () => {
    const stray = { type: 'tally.report.archived', data: {} } as unknown as ReportEvent;
    expect(() => evolveReport(initialReportState(), stray)).toThrow('unhandled report event: tally.report.archived');
    // @ts-expect-error a string is not `never`: a switch that forgot a member would hand one here
    expect(() => assertNever('tally.report.archived')).toThrow();
  });
});
