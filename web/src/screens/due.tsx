import { Fragment } from 'preact';
import { Card, ErrorBox, Loading, StatusBadge, UnitSearch } from '../components';
import { get } from '../lib/api';
import { useLoad, useOrgUnit } from '../lib/hooks';
import { levelText, statusText, t } from '../lib/i18n';
import { href, navigate } from '../lib/router';
import type { DueItem, Me } from '../lib/types';

/** A commune officer's first screen: templates x periods, each tier's deadline, and where each report stands. */
export function DueScreen({ me, orgUnit }: { me: Me; orgUnit: string }) {
  const { data, error, loading } = useLoad(() => get<{ items: DueItem[]; date: string }>('/due', { orgUnit }), [orgUnit]);
  const unit = useOrgUnit(orgUnit);
  return (
    <>
      <h1>{t('dueTitle')}</h1>
      {me.orgUnit !== orgUnit || me.role !== 'commune_officer' ? <UnitSearch value={orgUnit} onChange={(code) => navigate('/due', { orgUnit: code })} /> : null}
      <Loading when={loading} />
      <ErrorBox error={error} />
      {data && data.items.length === 0 && <p>{t('dueNone')}</p>}
      {data && data.items.length > 0 && (
        <Card title={`${t('unit')} ${unit ? `${unit.name} (${orgUnit})` : orgUnit} · ${data.date}`} id="due-list">
          <div class="scroll" tabIndex={0}>
            <table class="due">
              <thead>
                <tr>
                  <th scope="col">{t('template')}</th>
                  <th scope="col">{t('period')}</th>
                  <th scope="col">{t('deadline')}</th>
                  <th scope="col">{t('tierDeadlines')}</th>
                  <th scope="col">{t('status')}</th>
                  <th scope="col">{t('action')}</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((item) => (
                  <tr key={`${item.template}-${item.period}`} data-template={item.template} data-period={item.period}>
                    <td>
                      <span title={item.templateName}>{item.templateName}</span> <small>({item.template})</small>
                    </td>
                    <td class="date">{item.period}</td>
                    <td class="date">{item.deadline}</td>
                    <td>
                      <small>
                        {item.tierDeadlines.map((d, i) => (
                          <Fragment key={d.level}>
                            {i > 0 && ' · '}
                            <span class="date">{`${levelText(d.level)}: ${d.deadline}`}</span>
                          </Fragment>
                        ))}
                      </small>
                    </td>
                    <td>
                      <StatusBadge status={item.status} text={statusText(item.status)} />
                    </td>
                    <td class="actions">
                      {item.status !== 'locked' && item.status !== 'approved' && (
                        <a class="button" href={href('/form', { template: item.template, orgUnit, period: item.period })}>
                          {item.reportId ? t('amend') : t('enter')} <span class="sr-only">{`${item.template} ${item.period}`}</span>
                        </a>
                      )}
                      {item.reportId && (
                        <a href={href('/report', { id: item.reportId })}>
                          {t('view')} <span class="sr-only">{`${item.template} ${item.period}`}</span>
                        </a>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      )}
    </>
  );
}
