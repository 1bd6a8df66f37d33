import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '@tally/contracts';
import type { ReportValuesData } from '@tally/core';
import type { EventStore } from '@tally/eventstore';
import { openSqliteReadStore } from '@tally/readstore';
import type { Catalog, Hierarchy } from '@tally/core';
import { applyHierarchyChange } from './apply-hierarchy-change';
import { applyReportBatch, type ApplyDeps } from './apply-report-event';
import { HIERARCHY_CHANGED, type HierarchyChangedData } from './hierarchies';
import type { Replay } from './read-rollup';
import { CELLS, FOLDS, LEDGER, RECEIPTS, type FoldDoc, type LedgerDoc, type ReceiptDoc } from './rollup-cells';
import { cellSharesOf } from './cell-shares';

/** Events are read from the log in pages of this many. */
export const REPLAY_PAGE_SIZE = 500;
/**
 * Event times come from the deciding process's clock while positions come from the store, so a later position
 * can carry a slightly earlier time. The scan stops at the first event decided this long after the instant.
 */
export const REPLAY_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Time travel: the rollup state as of an instant, rebuilt from the event history. The log is read in pages
 * (positions in order); every report event decided at or before the instant that the query needs (the
 * predicate: its unit lies under the asked unit, its period within the asked period) is applied, with the very
 * code the live consumer runs, to a private read store in a temporary SQLite file, which the answer is then
 * read from and which is deleted afterwards. Memory: one page of events; the replayed cells, folds, receipts
 * and ledgers are on disk (bounded by the reports the query needs, not by the log). Time: one pass over the
 * log up to the instant (plus the skew margin).
 */
export function replayFromLog(options: {
  store: EventStore;
  /** `path` must give the map as it stood just before the position */
  deps: Pick<ApplyDeps, 'catalogVersion' | 'path'> & { catalogForDate?: (date: string) => Promise<Catalog | undefined> };
  /** the hierarchy change at a position, with the map before and after it (its move is replayed too) */
  changeAt?: (version: string, position: number) => { before: Hierarchy; after: Hierarchy } | undefined;
  pageSize?: number;
}): Replay {
  return async (asOf, relevant) => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-asof-'));
    const readStore = openSqliteReadStore(join(dir, 'replay.db'), { synchronous: 'NORMAL' });
    const cells = cellSharesOf(readStore.counters(CELLS));
    const receipts = readStore.collection<ReceiptDoc>(RECEIPTS);
    const apply: ApplyDeps = {
      cells,
      receipts,
      ledger: readStore.collection<LedgerDoc>(LEDGER),
      folds: readStore.collection<FoldDoc>(FOLDS),
      catalogVersion: options.deps.catalogVersion,
      path: options.deps.path,
    };
    const close = async () => {
      await readStore.close();
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      await cells.ensureIndex(['cell']);
      await receipts.ensureIndex(['hierarchy', 'template', 'period']);
      const limit = Date.parse(asOf);
      let after = 0;
      // the relevant report events between two hierarchy changes are applied as one batch
      let pending: StoredEvent[] = [];
      const flush = async () => {
        if (pending.length > 0) await applyReportBatch(apply, pending, 0);
        pending = [];
      };
      for (;;) {
        const page: StoredEvent[] = await options.store.readAll(after, options.pageSize ?? REPLAY_PAGE_SIZE);
        if (page.length === 0) break;
        let done = false;
        for (const e of page) {
          after = e.position;
          const time = Date.parse(e.time);
          if (time > limit + REPLAY_CLOCK_SKEW_MS) {
            done = true;
            break;
          }
          if (time > limit) continue;
          if (e.type === HIERARCHY_CHANGED && options.changeAt) {
            // the rollups as of the instant follow the changes made before it, as the live ones do
            const version = (e.data as HierarchyChangedData).hierarchy;
            const c = options.changeAt(version, e.position);
            await flush();
            if (c) await applyHierarchyChange({ ...apply, catalogForDate: options.deps.catalogForDate }, { hierarchy: version, position: e.position, ...c });
            continue;
          }
          if (e.type !== 'tally.report.submitted' && e.type !== 'tally.report.amended') continue;
          const d = e.data as ReportValuesData;
          if (!relevant({ hierarchy: d.hierarchy, orgUnit: d.orgUnit, period: d.period, template: d.template })) continue;
          // one writer in position order: every guard holds as in the live consumer, with a single partition
          pending.push(e);
        }
        await flush();
        if (done) break;
      }
      return { cells, receipts, close };
    } catch (err) {
      await close();
      throw err;
    }
  };
}
