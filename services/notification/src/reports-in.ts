import type { StoredEvent } from '@tally/contracts';
import type { ReportValuesData } from '@tally/core';
import { receivedId } from './projections';
import type { ReceivedDoc, Stores } from './stores';

/**
 * A consumer batch's reports in, written once at the batch's end instead of once per report (on FerretDB each write
 * and read is a command): which units' report is in (`received`, set once: the first report id stays), and for each
 * parent the units under it that reported (`completeness`). Reads made during the batch see what is queued here.
 */
export class ReportsIn {
  private readonly received = new Map<string, ReceivedFields>();
  private readonly parents = new Map<string, { units: Set<string>; cause: StoredEvent; report: ReportValuesData; parent: string; level: string }>();

  /** A report is in: its unit under `parent` (null: a root unit, or one the hierarchy does not know). */
  add(e: StoredEvent, r: ReportValuesData, parent: string | null, level: string | null): void {
    const id = receivedId(r.template, r.period, r.orgUnit);
    if (!this.received.has(id)) this.received.set(id, { template: r.template, period: r.period, orgUnit: r.orgUnit, reportId: r.reportId });
    if (!parent || !level) return;
    const key = completenessId(r, parent);
    const entry = this.parents.get(key) ?? { units: new Set<string>(), cause: e, report: r, parent, level };
    entry.units.add(r.orgUnit);
    // the notice, if this batch completes the figure, is caused by the last report of the batch under the parent
    entry.cause = e;
    entry.report = r;
    this.parents.set(key, entry);
  }

  /** The `received` documents of these ids as they will be once this batch is written (stored first: set once). */
  async receivedOf(stores: Stores, ids: readonly string[]): Promise<ReceivedDoc[]> {
    const stored = await stores.received.getMany([...ids]);
    const found = new Set(stored.map((d) => d._id));
    const queued = ids.filter((id) => !found.has(id) && this.received.has(id)).map((id): ReceivedDoc => ({ _id: id, ...this.received.get(id)! }));
    return [...stored, ...queued];
  }

  /**
   * Writes the batch: the received documents (one `updateMany`), then the units of each parent (one `updateMany`),
   * then reads the parents' documents back (one `getMany`: what other batches added is seen too) and answers those
   * whose figure is complete and not yet told, with the report that completed them.
   */
  async write(stores: Stores, expected: (hierarchy: string, parent: string, level: string) => Promise<number>): Promise<CompleteFigure[]> {
    if (this.received.size > 0) {
      await stores.received.updateMany([...this.received].map(([id, doc]) => ({ id, update: { setOnInsert: doc } })));
    }
    if (this.parents.size === 0) return [];
    const ids = [...this.parents.keys()];
    await stores.completeness.updateMany(ids.map((id) => ({ id, update: { set: Object.fromEntries([...this.parents.get(id)!.units].map((u) => [`units.${u}`, 1])) } })));
    const docs = new Map((await stores.completeness.getMany(ids)).map((d) => [d._id, d]));
    const complete: CompleteFigure[] = [];
    for (const id of ids) {
      const { cause, report, parent, level } = this.parents.get(id)!;
      const doc = docs.get(id);
      const n = await expected(report.hierarchy, parent, level);
      if (!doc || doc.told || Object.keys(doc.units ?? {}).length < n) continue;
      complete.push({ id, cause, data: { orgUnit: parent, template: report.template, period: report.period, expected: n } });
    }
    return complete;
  }
}

/** A parent whose subtree's reports are all in, not yet told. */
export interface CompleteFigure {
  /** its completeness document */
  id: string;
  /** the report event that completed it */
  cause: StoredEvent;
  data: { orgUnit: string; template: string; period: string; expected: number };
}

type ReceivedFields = Pick<ReceivedDoc, 'template' | 'period' | 'orgUnit' | 'reportId'>;

const completenessId = (r: ReportValuesData, parent: string): string => `${r.template}|${r.period}|${r.hierarchy}|${parent}`;
