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
 * A partition without a mark has had no batch with marks. When the store's shares were all written with marks (a
 * note in the progress collection, `MARKED_SINCE_EMPTY`, written when the first look found no share at all), it has
 * no share either: nothing of it was ever applied, and its first batch reads nothing (on a fresh FerretDB that
 * batch's lookups, one per share, held the rollup still for tens of seconds at the start of a reporting day).
 * Otherwise its shares, if it has any (one query, limit 1), were written by a version before the marks, which may
 * have died in the middle of a batch: the mark is raised to the highest `applied` among them (read once), so every
 * batch reads until the partition's progress passes it. Every race here errs on the side of reading.
 */
export interface ShareMarks {
  /** the position no share of the partition has applied above, or null when that is not known */
  settledUpTo(partition: number): Promise<number | null>;
  /** raises the partition's mark to `position` before a batch up to it writes shares */
  markPending(partition: number, position: number): Promise<void>;
}

type MarkDoc = Doc & { position?: unknown; pending?: unknown };

/** The progress collection's note that every cell share was written with marks (it has no `group`: no consumer's). */
export const MARKED_SINCE_EMPTY = 'share-marks.since-empty';

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
  // read (and written, on an empty store) once; a rebuild drops it with the shares
  let markedSinceEmpty: boolean | undefined;
  const everyShareMarked = async (): Promise<boolean> => {
    if (await marks.get(MARKED_SINCE_EMPTY)) return true;
    // shares written meanwhile by another replica make this false: the slower, safe answer
    if ((await shares.find({}, { limit: 1 })).length > 0) return false;
    await marks.update(MARKED_SINCE_EMPTY, { setOnInsert: { at: new Date().toISOString() } });
    return true;
  };
  return {
    async settledUpTo(partition) {
      const doc = await marks.get(progressDoc(partition));
      if (doc && typeof doc.pending === 'number') {
        const done = typeof doc.position === 'number' ? doc.position : 0;
        return doc.pending <= done ? done : null;
      }
      markedSinceEmpty ??= await everyShareMarked();
      if (markedSinceEmpty || (await shares.find({ partition }, { limit: 1 })).length === 0) return 0;
      const highest = Math.max(0, ...(await shares.find({ partition })).map((s) => s.applied));
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
