import { useId, useState } from 'preact/hooks';
import { ErrorBox } from '../components';
import { ApiError, XLSX, api, download, withQuery } from '../lib/api';
import { t } from '../lib/i18n';

/**
 * Excel forms (`GET/POST /api/v1/forms/xlsx`): download a pre-filled workbook for a unit and period (or, for a
 * reviewer, one workbook for every child reporting unit), fill it offline in Excel, upload it back: it goes
 * through the same validation and every refused cell is listed (a DHIS2-shaped import summary).
 */
export interface ImportSummary {
  status: string;
  importCount: { imported: number; updated: number; ignored: number; deleted: number };
  conflicts: Array<{ object: string; value: string; errorCode: string; row?: number; cell?: string; sheet?: string }>;
}

export function ExcelPanel({ template, orgUnit, period, children = false }: { template: string; orgUnit: string; period: string; children?: boolean }) {
  const fileId = useId();
  const [error, setError] = useState<ApiError | null>(null);
  const [summary, setSummary] = useState<ImportSummary | null>(null);
  const [dryRun, setDryRun] = useState(false);
  const [reason, setReason] = useState('');

  const save = async () => {
    setError(null);
    try {
      await download('/forms/xlsx', { template, orgUnit, period, children: children ? 'true' : undefined }, `${template}-${orgUnit}-${period}${children ? '-all' : ''}.xlsx`);
    } catch (err) {
      setError(err as ApiError);
    }
  };

  const upload = async (file: File) => {
    setError(null);
    setSummary(null);
    try {
      setSummary(await api<ImportSummary>('POST', withQuery('/forms/xlsx', { dryRun: dryRun ? 'true' : undefined, reason: reason.trim() ? reason.trim().normalize('NFC') : undefined }), undefined, { raw: await file.arrayBuffer(), contentType: XLSX }));
    } catch (err) {
      // nothing imported: a 409 IMPORT_CONFLICT whose body is still the summary, every refused cell in it
      const e = err as ApiError;
      const body = e.body as Partial<ImportSummary> | undefined;
      if (body?.conflicts && body.importCount) setSummary(body as ImportSummary);
      setError(e);
    }
  };

  return (
    <section class="card excel" aria-labelledby={`${fileId}-title`}>
      <h2 id={`${fileId}-title`}>{t('excel')}</h2>
      <p>
        <button type="button" onClick={() => void save()}>
          {children ? t('xlsxDownloadAll') : t('xlsxDownload')}
        </button>
      </p>
      <div class="field">
        <label for={`${fileId}-reason`}>{t('reason')}</label>
        <input id={`${fileId}-reason`} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
        <small class="hint">{t('xlsxReasonHint')}</small>
      </div>
      <div class="field">
        <label for={fileId}>{t('xlsxUpload')}</label>
        <input
          id={fileId}
          type="file"
          accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          onChange={(e) => {
            const input = e.target as HTMLInputElement;
            const f = input.files?.[0];
            if (f) void upload(f).finally(() => (input.value = ''));
          }}
        />
        <label class="inline">
          <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun((e.target as HTMLInputElement).checked)} /> {t('xlsxDryRun')}
        </label>
      </div>
      <ErrorBox error={error} />
      {summary && (
        <div role="status" class="import-summary" data-status={summary.status}>
          <p>
            <strong>{summary.status}</strong>: {t('imported', { a: summary.importCount.imported, b: summary.importCount.updated, c: summary.importCount.ignored })}
          </p>
          {summary.conflicts.length > 0 && (
            <div class="scroll" tabIndex={0}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('cell')}</th>
                    <th scope="col">{t('code')}</th>
                    <th scope="col">{t('value')}</th>
                    <th scope="col">{t('error')}</th>
                  </tr>
                </thead>
                <tbody>
                  {summary.conflicts.map((c, i) => (
                    <tr key={i} class="conflict">
                      <td>{[c.sheet, c.cell ?? (c.row !== undefined ? `#${c.row}` : '')].filter(Boolean).join('!')}</td>
                      <td>{c.object}</td>
                      <td>{c.value}</td>
                      <td>
                        <code>{c.errorCode}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
