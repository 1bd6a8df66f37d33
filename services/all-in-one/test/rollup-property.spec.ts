import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '@tally/contracts';
import {
  batchRollup,
  cellValues,
  coarserPeriods,
  contributionOf,
  deadlineFor,
  isoDateOf,
  mergeCellStates,
  parsePeriod,
  tierOf,
  type AggregationType,
  type Catalog,
  type Hierarchy,
  type HierarchyChange,
} from '@tally/core';
import { openSqliteReadStore, type Collection, type CounterWrite, type Guard, type Update } from '@tally/readstore';
import {
  applyHierarchyChange,
  applyReportBatch,
  CELLS,
  cellSharesOf,
  type CellShares,
  DEADLINE_UTC_OFFSET_MINUTES,
  FOLDS,
  LEDGER,
  RECEIPTS,
  type ApplyDeps,
  type FoldDoc,
  type LedgerDoc,
  type PathUnit,
  type ReceiptDoc,
  type RollupCellDoc,
} from '@tally/svc-hierarchy-rollup';
import { realRegistry } from './helpers';

/**
 * The incremental rollup equals a batch recomputation (core's batchRollup, built on the aggregation
 * accumulators), unit by unit, period by period, for every figures variant, whatever the sequence:
 * submissions, amendments (changing and dropping values), figures switching between estimate and official,
 * duplicates and redelivery of earlier batches, partitions interleaved and running concurrently, crashes
 * between writes (a partial cell write, a lost ledger write), and hierarchy changes (a commune moved to
 * another district) mid-stream. Real slices of the map: communes of two districts of Thái Nguyên and one of
 * Bắc Kạn (pre-2025), and communes of Thái Nguyên on the 2025 map.
 */
const AGG: Record<string, AggregationType> = { E_SUM: 'SUM', E_DIS: 'SUM', E_AVG: 'AVERAGE', E_ASO: 'AVERAGE_SUM_ORG_UNIT', E_LAST: 'LAST', E_MIN: 'MIN', E_MAX: 'MAX', E_NONE: 'NONE' };
const ELEMENTS = Object.keys(AGG);
const catalog: Catalog = {
  version: 'p1',
  legalBasis: 'test',
  categories: [{ code: 'SEX', name: 'Sex', options: [{ code: 'MALE', name: 'M' }, { code: 'FEMALE', name: 'F' }] }],
  categoryCombos: [{ code: 'BY_SEX', name: 'by sex', categories: ['SEX'] }],
  dataElements: ELEMENTS.map((code) => ({ code, name: code, valueType: 'INTEGER', aggregation: AGG[code]!, ...(code === 'E_DIS' || code === 'E_MIN' ? { categoryCombo: 'BY_SEX' } : {}) })),
  indicators: [],
  templates: [
    { code: 'T_M', name: 'monthly', periodType: 'MONTHLY', reportingLevel: 'commune', dataElements: ELEMENTS, deadlineDaysAfterPeriodEnd: 5 },
    { code: 'T_Q', name: 'quarterly', periodType: 'QUARTERLY', reportingLevel: 'commune', dataElements: ELEMENTS, deadlineDaysAfterPeriodEnd: 10 },
    { code: 'T_S', name: 'half-yearly', periodType: 'SIXMONTHLY', reportingLevel: 'commune', dataElements: ELEMENTS, deadlineDaysAfterPeriodEnd: 15 },
  ],
};
const aggregationOf = (key: string): AggregationType | undefined => AGG[key.split(':', 1)[0]!];
const elements = new Map(catalog.dataElements.map((e) => [e.code, e]));
const templateOfPeriod = (period: string) => ({ MONTHLY: 'T_M', QUARTERLY: 'T_Q', SIXMONTHLY: 'T_S', YEARLY: 'T_S' })[parsePeriod(period)!.type];

const registry = realRegistry();
const pre = registry.get('pre2025')!;
const v2025 = registry.get('2025')!;
const PRE_COMMUNES = [...pre.childrenOf('168').slice(0, 3), ...pre.childrenOf('164').slice(0, 2), ...pre.descendantsAtLevel('06', 'commune').slice(0, 2)].map((u) => u.code);
const NEW_COMMUNES = v2025.descendantsAtLevel('19', 'commune').slice(0, 3).map((u) => u.code);
const PRE_PERIODS = ['202401', '202402', '202404', '2024Q1', '2024Q2', '2024S1', '2024S2'];
const NEW_PERIODS = ['202601', '202603', '2026Q1', '2026S1'];
// a move during the run: the first commune of Phú Lương (168) goes to district 164
const MOVE: HierarchyChange = { kind: 'move', code: PRE_COMMUNES[0]!, newParentCode: '164' };

interface Step {
  stream: number;
  figures: 'estimate' | 'official';
  values: Array<{ dataElement: string; optionCombo?: string; value: number }>;
  /** days after the period's end the report is sent: around the tier deadlines */
  daysLate: number;
}

const valueArb = fc.array(
  fc.record({ element: fc.constantFrom(...ELEMENTS), option: fc.constantFrom(undefined, 'MALE', 'FEMALE'), value: fc.integer({ min: -50, max: 1000 }) }),
  { maxLength: 6 },
).map((vs) => {
  const seen = new Set<string>();
  const out: Step['values'] = [];
  for (const v of vs) {
    const option = v.element === 'E_DIS' || v.element === 'E_MIN' ? v.option : undefined;
    const key = `${v.element}:${option ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ dataElement: v.element, ...(option ? { optionCombo: option } : {}), value: v.value });
  }
  return out;
});

const scenarioArb = fc.record({
  streams: fc.array(fc.record({ pre: fc.boolean(), unit: fc.nat(), period: fc.nat() }), { minLength: 1, maxLength: 10 }),
  steps: fc.array(fc.record({ stream: fc.nat(), figures: fc.constantFrom<'estimate' | 'official'>('estimate', 'official'), values: valueArb, daysLate: fc.integer({ min: 0, max: 40 }) }), {
    minLength: 1,
    maxLength: 25,
  }),
  movePosition: fc.option(fc.integer({ min: 1, max: 25 }), { nil: undefined }),
  /** after the run, the rollups follow the move (data already rolled up moved), with a crash and a redelivery */
  followMove: fc.boolean(),
  schedule: fc.array(fc.record({ partition: fc.nat(), batch: fc.integer({ min: 1, max: 4 }), rewind: fc.nat({ max: 3 }), concurrent: fc.boolean(), fault: fc.nat({ max: 9 }) }), { maxLength: 60 }),
});

const PARTITIONS = 3;

/** A crash in the middle of a batch's cell write: MongoDB has no transaction, so half the shares are written. */
function faultyShares(c: CellShares, fault: { armed: number }): CellShares {
  return {
    ...c,
    write: async (writes: CounterWrite[], known?: Map<string, number>) => {
      if (fault.armed === 1 && writes.length > 1) {
        fault.armed = 0;
        await c.write(writes.slice(0, Math.floor(writes.length / 2)), known);
        throw new Error('injected crash in the middle of a cell write');
      }
      return c.write(writes, known);
    },
  };
}

/** Fails now and then, like a crash between writes: a lost ledger write (one or a batch of them). */
function faulty<T extends { _id: string } & Record<string, unknown>>(c: Collection<T>, fault: { armed: number }): Collection<T> {
  return new Proxy(c, {
    get(target, prop, receiver) {
      if (prop === 'updateMany' && target.name === LEDGER) {
        return async (ops: Array<{ id: string; update: Update; guard?: Guard }>) => {
          if (fault.armed === 2) {
            fault.armed = 0;
            throw new Error('injected crash before the ledger write');
          }
          return target.updateMany(ops);
        };
      }
      if (prop === 'update' && target.name === LEDGER) {
        return async (id: string, update: Update, guard?: Guard) => {
          if (fault.armed === 2) {
            fault.armed = 0;
            throw new Error('injected crash before the ledger write');
          }
          return target.update(id, update, guard);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

describe('incremental rollup = batch recomputation (property)', () => {
  it('holds for random submissions, amendments, duplicates, redeliveries, crashes and a hierarchy move (followed or not)', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const streams = s.streams.map((st, i) => {
          const pool = st.pre ? PRE_COMMUNES : NEW_COMMUNES;
          const periods = st.pre ? PRE_PERIODS : NEW_PERIODS;
          const period = periods[st.period % periods.length]!;
          const orgUnit = pool[st.unit % pool.length]!;
          const template = templateOfPeriod(period);
          return { id: `report-${template}-${orgUnit}-${period}`, i, hierarchy: st.pre ? 'pre2025' : '2025', orgUnit, period, template, partition: 0 };
        });
        // one stream per key: drop duplicates of (template, unit, period)
        const unique = [...new Map(streams.map((st) => [st.id, st])).values()];
        unique.forEach((st, i) => (st.partition = (i * 7 + st.orgUnit.length) % PARTITIONS));

        // the event log
        const versions = new Map<string, number>();
        const events: Array<StoredEvent & { partition: number }> = [];
        for (const step of s.steps) {
          const st = unique[step.stream % unique.length]!;
          const version = (versions.get(st.id) ?? 0) + 1;
          versions.set(st.id, version);
          const position = events.length + 1;
          const end = parsePeriod(st.period)!.endDate;
          const submittedAt = `${addDays(end, step.daysLate)}T${step.daysLate % 2 === 0 ? '03:00:00Z' : '18:30:00Z'}`;
          events.push({
            id: `e${position}`,
            type: version === 1 ? 'tally.report.submitted' : 'tally.report.amended',
            source: 'test',
            subject: st.id,
            time: submittedAt,
            schemaVersion: 1,
            actor: { id: 'test' },
            correlationId: `c${position}`,
            streamVersion: version,
            position,
            partition: st.partition,
            data: {
              reportId: st.id,
              template: st.template,
              orgUnit: st.orgUnit,
              period: st.period,
              hierarchy: st.hierarchy,
              submissionId: `s${position}`,
              figures: step.figures,
              catalogVersion: 'p1',
              values: step.values,
              submittedAt,
              contentHash: 'x',
              ...(version > 1 ? { reason: 'fix', replacesVersion: version - 1 } : {}),
            },
          });
        }

        // the map as it stood at each position (the move happens at movePosition, if any)
        const moved = pre.withChange(MOVE);
        const mapAt = (hierarchy: string, position: number): Hierarchy =>
          hierarchy === '2025' ? v2025 : s.movePosition !== undefined && position > s.movePosition ? moved : pre;
        const pathAt = (hierarchy: string, orgUnit: string, position: number): PathUnit[] => {
          const h = mapAt(hierarchy, position);
          return h.pathOf(orgUnit).map((u) => ({ code: u.code, levelIndex: h.levelIndex(u.level) }));
        };

        const store = openSqliteReadStore(':memory:');
        const fault = { armed: 0 };
        try {
          const deps: ApplyDeps = {
            cells: faultyShares(cellSharesOf(store.counters(CELLS)), fault),
            ledger: faulty(store.collection<LedgerDoc>(LEDGER), fault),
            folds: store.collection<FoldDoc>(FOLDS),
            receipts: store.collection<ReceiptDoc>(RECEIPTS),
            catalogVersion: async () => catalog,
            path: async (h, u, p) => pathAt(h, u, p),
          };
          // the consumers: per partition, batches in order; offsets committed after a batch succeeds
          const queues = Array.from({ length: PARTITIONS }, (_, p) => events.filter((e) => e.partition === p));
          const offsets = queues.map(() => 0);
          const deliver = async (p: number, batch: number): Promise<void> => {
            const q = queues[p]!;
            const slice = q.slice(offsets[p], offsets[p]! + batch);
            try {
              // the consumer's batch, applied as one (each touched share written once)
              await applyReportBatch(deps, slice, p);
              offsets[p] = offsets[p]! + slice.length;
            } catch (err) {
              if (!String(err).includes('injected')) throw err;
              // the batch is redelivered from its first event
            }
          };
          for (const step of s.schedule) {
            const p = step.partition % PARTITIONS;
            offsets[p] = Math.max(0, offsets[p]! - step.rewind); // redelivery of earlier events
            fault.armed = step.fault === 1 || step.fault === 2 ? step.fault : 0;
            if (step.concurrent) await Promise.all([deliver(p, step.batch), deliver((p + 1) % PARTITIONS, step.batch)]);
            else await deliver(p, step.batch);
          }
          fault.armed = 0;
          for (let p = 0; p < PARTITIONS; p++) while (offsets[p]! < queues[p]!.length) await deliver(p, 5);
          const follow = s.movePosition !== undefined && s.followMove;
          if (follow) {
            // the consumers are idle (the service holds them off): every report now sits on the moved map
            const change = { hierarchy: 'pre2025', position: events.length + 1, before: pre, after: moved };
            const moveDeps = { cells: deps.cells, ledger: deps.ledger, folds: deps.folds, catalogVersion: async () => catalog };
            fault.armed = 1; // a crash in the middle of the cell write, then the change redelivered twice
            await applyHierarchyChange(moveDeps, change).catch((err: unknown) => {
              if (!String(err).includes('injected')) throw err;
            });
            fault.armed = 0;
            await applyHierarchyChange(moveDeps, change);
            await applyHierarchyChange(moveDeps, change);
          }

          // the batch recomputation from the final report states
          for (const variant of ['latest', 'estimate', 'official'] as const) {
            const finals = new Map<string, StoredEvent>();
            const firsts = new Map<string, StoredEvent>();
            const pathOfReport = new Map<string, PathUnit[]>();
            for (const e of events) {
              const d = e.data as { figures: string; reportId: string; hierarchy: string; orgUnit: string };
              if (!pathOfReport.has(d.reportId)) pathOfReport.set(d.reportId, pathAt(d.hierarchy, d.orgUnit, follow ? Number.MAX_SAFE_INTEGER : e.position));
              if (variant !== 'latest' && d.figures !== variant) continue;
              finals.set(d.reportId, e);
              if (!firsts.has(d.reportId)) firsts.set(d.reportId, e);
            }
            const reports = [...finals.values()].map((e) => {
              const d = e.data as { reportId: string; period: string; values: Step['values'] };
              return { reportId: d.reportId, path: pathOfReport.get(d.reportId)!.map((u) => u.code), period: d.period, values: contributionOf(d.values, elements) };
            });
            const expected = batchRollup(reports, aggregationOf);
            // completeness: received and on time per cell, by the tier deadline of each unit
            const receipts = new Map<string, { received: number; onTime: number; estimates: number }>();
            for (const [reportId, first] of firsts) {
              const d = first.data as { period: string; template: string; submittedAt: string };
              const path = pathOfReport.get(reportId)!;
              const leaf = path[path.length - 1]!.levelIndex;
              const last = finals.get(reportId)!.data as { figures: string };
              for (const u of path) {
                for (const P of [d.period, ...coarserPeriods(d.period)]) {
                  const id = `${(first.data as { hierarchy: string }).hierarchy}|${u.code}|${P}`;
                  const r = receipts.get(id) ?? { received: 0, onTime: 0, estimates: 0 };
                  if (variant === 'latest' && last.figures === 'estimate') r.estimates++;
                  if (P === d.period) {
                    r.received++;
                    const due = deadlineFor(d.period, catalog.templates.find((t) => t.code === d.template)!.deadlineDaysAfterPeriodEnd, tierOf(leaf, u.levelIndex));
                    if (isoDateOf(d.submittedAt, DEADLINE_UTC_OFFSET_MINUTES) <= due) r.onTime++;
                  }
                  receipts.set(id, r);
                }
              }
            }

            // KNOWN LIMIT: while a move is not followed, a unit can have reports on both paths within one coarse
            // period; cells reached from both then hold a transitional mix for the aggregations that fold per unit
            // or keep extremes (each write adds the whole unit's fold change to its own path). Only the additive
            // figures and the counts are compared there; once the move is followed (the service always follows),
            // everything is compared.
            const transitional = new Set<string>();
            if (!follow) {
              const pathsOfUnit = new Map<string, Set<string>>();
              for (const e of events) {
                const d = e.data as { reportId: string; orgUnit: string; period: string };
                const key = `${d.orgUnit}|${d.period}`;
                pathsOfUnit.set(key, (pathsOfUnit.get(key) ?? new Set()).add(pathOfReport.get(d.reportId)!.map((u) => u.code).join('/')));
              }
              const unitPaths = new Map<string, Set<string>>();
              for (const [key, paths] of pathsOfUnit) {
                const [unit, period] = key.split('|') as [string, string];
                for (const P of [period, ...coarserPeriods(period)]) for (const path of paths) unitPaths.set(`${unit}|${P}`, (unitPaths.get(`${unit}|${P}`) ?? new Set()).add(path));
              }
              for (const [key, paths] of unitPaths) {
                if (paths.size < 2) continue;
                const P = key.split('|')[1]!;
                for (const path of paths) for (const code of path.split('/')) transitional.add(`${code}|${P}`);
              }
            }
            const additive = (k: string) => aggregationOf(k) === 'SUM' || aggregationOf(k) === 'NONE';

            const shares = await cellSharesOf(store.counters(CELLS)).find({ figures: variant });
            const byCell = new Map<string, RollupCellDoc[]>();
            for (const sh of shares) byCell.set(sh.cell, [...(byCell.get(sh.cell) ?? []), sh]);
            const expectedCells = new Map<string, Record<string, number>>();
            for (const [k, v] of expected) {
              // batch keys are unit|period; codes are reused across maps (VN, 19) but the maps' years differ here
              const [unit, P] = k.split('|') as [string, string];
              expectedCells.set(`${P.startsWith('2024') ? 'pre2025' : '2025'}|${variant}|${unit}|${P}`, v);
            }
            for (const cell of new Set([...byCell.keys(), ...expectedCells.keys()])) {
              const state = mergeCellStates(byCell.get(cell) ?? []);
              const [, , cellUnit, cellPeriod] = cell.split('|') as [string, string, string, string];
              const onlyAdditive = transitional.has(`${cellUnit}|${cellPeriod}`);
              const keep = (m: Record<string, number>) => (onlyAdditive ? Object.fromEntries(Object.entries(m).filter(([k]) => additive(k))) : m);
              const got = keep(cellValues(state, aggregationOf));
              const want = keep(expectedCells.get(cell) ?? {});
              expect(Object.keys(got).sort(), cell).toEqual(Object.keys(want).sort());
              for (const [k, v] of Object.entries(want)) expect(Math.abs(got[k]! - v), `${cell} ${k}: ${got[k]} vs ${v}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(v)));
              const [h, , unit, P] = cell.split('|') as [string, string, string, string];
              const r = receipts.get(`${h}|${unit}|${P}`) ?? { received: 0, onTime: 0, estimates: 0 };
              const sum = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);
              expect(sum(state.received), `${cell} received`).toBe(r.received);
              expect(sum(state.onTime), `${cell} onTime`).toBe(r.onTime);
              if (variant === 'latest') expect(state.estimates, `${cell} estimates`).toBe(r.estimates);
            }
          }
        } finally {
          await store.close();
        }
      }),
      {
        numRuns: Number(process.env.TALLY_PROPERTY_RUNS ?? 60),
        examples: [
          // found by a CI run: the moved commune reports January after the move (not followed) and February
          // before it; each report stays on its own path, so the quarter has a share on each district
          [
            {
              streams: [{ pre: true, unit: 0, period: 1 }, { pre: true, unit: 0, period: 0 }],
              steps: [
                { stream: 0, figures: 'estimate', values: [], daysLate: 0 },
                { stream: 1, figures: 'estimate', values: [{ dataElement: 'E_SUM', value: 0 }], daysLate: 0 },
                { stream: 0, figures: 'estimate', values: [], daysLate: 0 },
              ],
              movePosition: 1,
              followMove: false,
              schedule: [],
            },
          ],
          // found by a longer run: February is rolled up on the new path before the move carries January's
          // (empty) report over; the move must carry only the old path's part of the unit's fold, not all of it
          [
            {
              streams: [{ pre: true, unit: 0, period: 0 }, { pre: true, unit: 0, period: 1 }, { pre: false, unit: 0, period: 0 }],
              steps: [
                { stream: 0, figures: 'estimate', values: [], daysLate: 0 },
                { stream: 1, figures: 'estimate', values: [{ dataElement: 'E_ASO', value: 1 }], daysLate: 0 },
              ],
              movePosition: 1,
              followMove: true,
              schedule: [],
            },
          ],
        ],
      },
    );
  }, 120_000);
});

function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
