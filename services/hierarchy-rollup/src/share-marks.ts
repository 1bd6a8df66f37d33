import type { StoredEvent } from '@tally/contracts';
import type { Collection, Doc } from '@tally/readstore';
import { applyReportBatch, type ApplyDeps } from './apply-report-event';
import type { CellShares } from './cell-shares';

/**
 * Spares a report batch the read of every cell share's `applied` position (one `_id` lookup per share on MongoDB and
 * FerretDB: ~24 per report, most of the rollup's store commands) when the partition's shares cannot hold any of
 * the batch's events.
 *
 * The shares of partition p (`<cell>|p<p>`) get an `applied` position only from report batches of p. Before it writes
 * any share, a batch raises the partition's `pending` mark to its last position (guarded: the mark only grows);
 * once the batch is done the consumer records the partition's progress (`position`, runtime's event consumer, in the
 * same document). So when a batch starts and `pending <= position`, every batch that wrote shares of p finished,
 * and no share of p has applied above `position`: an event above it is in no share, and its parts need no
 * `applied` read. A batch that died after writing some shares (a crash, a lost rebalance) left `pending` above
 * `position`, and the next batch reads every `applied` as before, as does one holding an event at or below
 * `position` that is applied again (a dead letter sent back).
 *
 * A partition without a mark has had no batch with marks: when it has no share either (one query, limit 1), nothing
 * of it was ever applied and its first batch reads nothing (on a fresh FerretDB that batch's lookups, one per share,
 * held the rollup still for tens of seconds at the start of a reporting day). Its shares were otherwise written by a
 * version before the marks, which may have died in the middle of a batch: the mark is raised to the highest
 * `applied` among them (read once), so every batch reads until the partition's progress passes it.
 */
export interface ShareMarks {
  /** the position no share of the partition has applied above, or null when that is not known */
  settledUpTo(partition: number): Promise<number | null>;
  /** raises the partition's mark to `position` before a batch up to it writes shares */
  markPending(partition: number, position: number): Promise<void>;
}

type MarkDoc = Doc & { position?: unknown; pending?: unknown };

/**
 * The marks in the consumer's own progress documents (`progressDoc(p)`: written by the runtime's event consumer with
 * the partition's last applied position after each batch), so one lookup reads both; `shares` are the cell shares
 * (their scalar field `partition` says whose they are).
 */
export function shareMarksIn(progress: Collection, progressDoc: (partition: number) => string, shares: Pick<CellShares, 'find'>): ShareMarks {
  const marks = progress as Collection<MarkDoc>;
  const markPending = async (partition: number, position: number): Promise<void> => {
    await marks.update(progressDoc(partition), { set: { pending: position } }, { field: 'pending', below: position });
  };
  return {
    async settledUpTo(partition) {
      const doc = await marks.get(progressDoc(partition));
      if (doc && typeof doc.pending === 'number') {
        const done = typeof doc.position === 'number' ? doc.position : 0;
        return doc.pending <= done ? done : null;
      }
      if ((await shares.find({ partition }, { limit: 1 })).length === 0) return 0;
      const highest = Math.max(...(await shares.find({ partition })).map((s) => s.applied));
      await markPending(partition, highest);
      return null;
    },
    markPending,
  };
}

/** A consumer batch of one partition rolled up (applyReportBatch), with the marks read and raised around it. */
export async function applyMarkedBatch(deps: ApplyDeps, marks: ShareMarks, events: StoredEvent[], partition: number): Promise<void> {
  if (events.length === 0) return;
  const settled = await marks.settledUpTo(partition);
  await marks.markPending(partition, Math.max(...events.map((e) => e.position)));
  await applyReportBatch(deps, events, partition, settled === null ? {} : { sharesAppliedAtMost: settled });
}
