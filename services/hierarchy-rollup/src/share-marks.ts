import type { StoredEvent } from '@tally/contracts';
import type { Collection, Doc } from '@tally/readstore';
import { applyReportBatch, type ApplyDeps } from './apply-report-event';

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
 * `position` that is applied again (a dead letter sent back), and the first batch of a store without marks.
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
 * the partition's last applied position after each batch), so one lookup reads both.
 */
export function shareMarksIn(progress: Collection, progressDoc: (partition: number) => string): ShareMarks {
  const marks = progress as Collection<MarkDoc>;
  return {
    async settledUpTo(partition) {
      const doc = await marks.get(progressDoc(partition));
      if (!doc || typeof doc.pending !== 'number') return null;
      const done = typeof doc.position === 'number' ? doc.position : 0;
      return doc.pending <= done ? done : null;
    },
    async markPending(partition, position) {
      await marks.update(progressDoc(partition), { set: { pending: position } }, { field: 'pending', below: position });
    },
  };
}

/** A consumer batch of one partition rolled up (applyReportBatch), with the marks read and raised around it. */
export async function applyMarkedBatch(deps: ApplyDeps, marks: ShareMarks, events: StoredEvent[], partition: number): Promise<void> {
  if (events.length === 0) return;
  const settled = await marks.settledUpTo(partition);
  await marks.markPending(partition, Math.max(...events.map((e) => e.position)));
  await applyReportBatch(deps, events, partition, settled === null ? {} : { sharesAppliedAtMost: settled });
}
