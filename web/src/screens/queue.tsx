import { useEffect, useState } from 'preact/hooks';
import { StatusBadge } from '../components';
import { formatTime, t } from '../lib/i18n';
import { flushOutbox, listOutbox, onOutboxChange, removeFromOutbox, type OutboxItem } from '../lib/outbox';
import { href } from '../lib/router';

/** The offline queue, visible: what waits to be sent, what was sent (with its report), what was refused and why. */
export function QueueScreen() {
  const [items, setItems] = useState<OutboxItem[]>([]);
  useEffect(() => {
    const load = () => void listOutbox().then(setItems);
    load();
    return onOutboxChange(load);
  }, []);
  const label = { pending: t('queuePending'), sent: t('queueSent'), refused: t('queueRefused') };
  return (
    <>
      <h1>{t('queueTitle')}</h1>
      <p role="status" data-pending={items.filter((i) => i.state === 'pending').length}>
        {t('queueCount', { n: items.filter((i) => i.state === 'pending').length })}
      </p>
      <button type="button" onClick={() => void flushOutbox()} disabled={!navigator.onLine}>
        {t('sendNow')}
      </button>
      {items.length === 0 ? (
        <p>{t('queueEmpty')}</p>
      ) : (
        <div class="scroll" tabIndex={0}>
          <table class="queue">
            <thead>
              <tr>
                <th scope="col">{t('template')}</th>
                <th scope="col">{t('unit')}</th>
                <th scope="col">{t('period')}</th>
                <th scope="col">{t('time')}</th>
                <th scope="col">{t('status')}</th>
                <th scope="col">{t('action')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => (
                <tr key={i.submissionId} data-state={i.state} data-submission={i.submissionId}>
                  <td>{i.body.template}</td>
                  <td>{i.body.orgUnit}</td>
                  <td>{i.body.period}</td>
                  <td>{formatTime(i.createdAt)}</td>
                  <td>
                    <StatusBadge status={i.state} text={label[i.state]} /> {i.error ? <code>{i.error.code}</code> : null} {i.error?.message}
                  </td>
                  <td>
                    {i.reportId && <a href={href('/report', { id: i.reportId })}>{t('view')}</a>}{' '}
                    {i.state !== 'pending' && (
                      <button type="button" class="link" onClick={() => void removeFromOutbox(i.submissionId).then(() => setItems((xs) => xs.filter((x) => x.submissionId !== i.submissionId)))}>
                        {t('remove')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
