import type { StoredEvent } from '@tally/contracts';
import type { Collection } from '@tally/readstore';
import { evolveReportView, type ReportViewDoc } from './report-view';

/**
 * One report stream is in one partition and arrives in order, so the document is guarded by the stream
 * version: a redelivered event finds its version already applied and changes nothing.
 */
export async function projectReportEvent(reports: Collection<ReportViewDoc>, e: StoredEvent): Promise<void> {
  if (!e.type.startsWith('tally.report.')) return;
  const current = await reports.get(e.subject);
  if (current && current.version >= e.streamVersion) return;
  const next = evolveReportView(current, e);
  if (!next) return;
  const { _id, ...fields } = next;
  await reports.update(_id, { set: fields }, { field: 'version', below: e.streamVersion });
}
