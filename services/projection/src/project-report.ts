import type { StoredEvent } from '@tally/contracts';
import type { Collection } from '@tally/readstore';
import { evolveReportView, type ReportViewDoc } from './report-view';

/**
 * One report stream is in one partition and arrives in order, so the document is guarded by the stream
 * version: a redelivered event finds its version already applied and changes nothing.
 */
export async function projectReportEvent(reports: Collection<ReportViewDoc>, e: StoredEvent): Promise<void> {
  await projectReportEvents(reports, [e]);
}

/**
 * A consumer batch at once: the views it touches read in one `getMany`, evolved in memory event by event, and
 * written in one `updateMany` (one transaction in SQLite), each guarded by the last stream version it took.
 */
export async function projectReportEvents(reports: Collection<ReportViewDoc>, events: StoredEvent[]): Promise<void> {
  const relevant = events.filter((e) => e.type.startsWith('tally.report.'));
  if (relevant.length === 0) return;
  const ids = [...new Set(relevant.map((e) => e.subject))];
  const views = new Map((await reports.getMany(ids)).map((d) => [d._id, d]));
  // as read, before evolving: the write's guards are checked on them (FerretDB does not read them again)
  const read = new Map(ids.map((id) => [id, views.get(id) ?? null]));
  const changed = new Set<string>();
  for (const e of relevant) {
    const current = views.get(e.subject) ?? null;
    if (current && current.version >= e.streamVersion) continue;
    const next = evolveReportView(current, e);
    if (!next) continue;
    views.set(e.subject, next);
    changed.add(e.subject);
  }
  const writes = [...changed].map((id) => {
    const { _id, ...fields } = views.get(id)!;
    return { id: _id, update: { set: fields }, guard: { field: 'version', below: fields.version } };
  });
  if (writes.length > 0) await reports.updateMany(writes, read);
}
