import { useEffect, useState } from 'preact/hooks';
import { Card, ErrorBox, Loading, StatusBadge } from '../components';
import { ApiError, getPage } from '../lib/api';
import { formatTime, statusText, t } from '../lib/i18n';
import { href } from '../lib/router';

export interface ReportSummary {
  reportId: string;
  orgUnit: string;
  status: string;
  version: number;
  submittedAt: string;
}

const STATUSES = ['', 'submitted', 'returned', 'approved', 'locked'] as const;
const PAGE = 50;

/**
 * The reports of a unit's whole subtree for a template and period (`GET /reports?subtree=true`), filtered by
 * status, a page at a time: the reviewer opens one to approve or return it. `names`: the units' names known to the
 * screen (its child units), shown next to the codes.
 */
export function SubtreeReports({ orgUnit, template, period, names }: { orgUnit: string; template: string; period: string; names?: ReadonlyMap<string, string> }) {
  const [status, setStatus] = useState('submitted');
  const [rows, setRows] = useState<ReportSummary[]>([]);
  const [next, setNext] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const load = async (after: string | undefined, append: boolean) => {
    setLoading(true);
    setError(null);
    try {
      const page = await getPage<ReportSummary>('/reports', { orgUnit, subtree: 'true', template, period, status, limit: PAGE, after });
      setRows((r) => (append ? [...r, ...page.items] : page.items));
      setNext(page.next);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load(undefined, false);
  }, [orgUnit, template, period, status]);
  return (
    <Card title={t('subtreeReports')} id="subtree-reports">
      <div class="field">
        <label for="report-status">{t('status')}</label>
        <select id="report-status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s ? statusText(s) : t('allStatuses')}
            </option>
          ))}
        </select>
      </div>
      <ErrorBox error={error} />
      <p aria-live="polite" class="hint">
        {rows.length} {t('reportsShown')}
      </p>
      <div class="scroll" tabIndex={0}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('unit')}</th>
              <th scope="col">{t('status')}</th>
              <th scope="col">{t('time')}</th>
              <th scope="col">{t('action')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.reportId} data-report={r.reportId}>
                <td>
                  {names?.get(r.orgUnit) ?? r.orgUnit} <small>{r.orgUnit}</small>
                </td>
                <td>
                  <StatusBadge status={r.status} text={statusText(r.status)} />
                </td>
                <td>{formatTime(r.submittedAt)}</td>
                <td>
                  <a href={href('/report', { id: r.reportId })}>
                    {t('open')} <span class="sr-only">{r.reportId}</span>
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Loading when={loading} />
      {next && !loading && (
        <button type="button" class="secondary" onClick={() => void load(next, true)}>
          {t('more')}
        </button>
      )}
    </Card>
  );
}
