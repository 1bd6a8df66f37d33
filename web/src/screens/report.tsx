import { useState } from 'preact/hooks';
import { Card, ErrorBox, Loading, StatusBadge } from '../components';
import { ApiError, get, post } from '../lib/api';
import { useLoad } from '../lib/hooks';
import { formatNumber, formatTime, levelText, statusText, t } from '../lib/i18n';
import { href } from '../lib/router';
import type { Me, ReportView } from '../lib/types';

/** One report: its values, its approval state and its whole history; reviewers approve, return (with a comment) or lock it. */
export function ReportScreen({ me, reportId }: { me: Me; reportId: string }) {
  // after an action: the position it answered with, so the view read next reflects it (`after=`)
  const [after, setAfter] = useState<number | null>(null);
  const { data, error, loading } = useLoad(() => get<ReportView>(`/reports/${reportId}${after ? `?after=${after}` : ''}`), [reportId, after]);
  const [comment, setComment] = useState('');
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const act = async (action: 'approve' | 'return' | 'lock') => {
    setActionError(null);
    setDone(null);
    try {
      const text = comment.trim().normalize('NFC');
      const answer = await post<{ position: number }>(`/reports/${reportId}/${action}`, text ? { reason: text } : action === 'return' ? { reason: '' } : {});
      setDone(action);
      setComment('');
      setAfter(answer.position);
    } catch (err) {
      setActionError(err as ApiError);
    }
  };
  if (loading && !data) return <Loading when />;
  if (error) return <ErrorBox error={error} />;
  if (!data) return null;
  const reviewer = me.role === 'reviewer';
  return (
    <>
      <h1>
        {t('reports')} <code>{data.reportId}</code>
      </h1>
      <p class="meta">
        {t('status')}: <StatusBadge status={data.status} text={statusText(data.status)} /> · {t('version')} {data.version} · {t('figures')}: {data.figures === 'estimate' ? t('figuresEstimate') : t('figuresOfficial')}
        {me.role === 'commune_officer' && data.status !== 'locked' && (
          <>
            {' · '}
            <a href={href('/form', { template: data.template, orgUnit: data.orgUnit, period: data.period })}>{t('amend')}</a>
          </>
        )}
      </p>
      {reviewer && (
        <Card title={t('navReview')} id="review-actions">
          <div class="field">
            <label for="comment">{t('comment')}</label>
            <textarea id="comment" value={comment} onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)} />
          </div>
          <div class="buttons">
            <button type="button" onClick={() => void act('approve')}>{t('approve')}</button>
            <button type="button" class="secondary" disabled={comment.trim() === ''} onClick={() => void act('return')}>{t('returnIt')}</button>
            <button type="button" class="secondary" onClick={() => void act('lock')}>{t('lock')}</button>
          </div>
          <ErrorBox error={actionError} />
          {done && <p class="ok" role="status">{t('done')}: {done}</p>}
        </Card>
      )}
      <div class="two">
        <Card title={t('values')} id="values">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('code')}</th>
                <th scope="col">{t('value')}</th>
              </tr>
            </thead>
            <tbody>
              {data.values.map((v) => (
                <tr key={`${v.dataElement}.${v.optionCombo ?? ''}`}>
                  <td>
                    {v.dataElement}
                    {v.optionCombo ? `.${v.optionCombo}` : ''}
                  </td>
                  <td class="num">{typeof v.value === 'number' ? formatNumber(v.value) : String(v.value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
        <Card title={t('history')} id="history">
          <ol class="history" tabIndex={0}>
            {data.history.map((h) => (
              <li key={h.version}>
                <strong>{statusText(h.type.replace('tally.report.', ''))}</strong> v{h.version} · {formatTime(h.time)} · {h.actor?.id ?? ''}
                {h.level ? ` (${levelText(h.level)})` : ''}
                {h.reason ? <> · <q>{h.reason}</q></> : null}
              </li>
            ))}
          </ol>
        </Card>
      </div>
    </>
  );
}
