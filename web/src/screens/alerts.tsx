import { Card, ErrorBox, Loading, UnitSearch } from '../components';
import { get } from '../lib/api';
import { useLoad } from '../lib/hooks';
import { formatNumber, formatTime, t } from '../lib/i18n';
import { href, navigate } from '../lib/router';
import type { Me } from '../lib/types';

interface Alerts {
  targetsMissed: Array<{ indicator: string; period: string; operator: string; value: number; measured?: number | null }>;
  violations: Array<{ reportId: string; template: string; period: string; time: string; violations: Array<{ rule: string; name: string; message: string; onViolation?: string; importance?: string }> }>;
}

/** What needs attention at a unit: targets missed and the validation rules its reports broke. */
export function AlertsScreen({ me, orgUnit: unitParam, period }: { me: Me; orgUnit?: string | undefined; period?: string | undefined }) {
  const orgUnit = unitParam ?? (me.orgUnit === 'VN' ? '19' : me.orgUnit);
  const { data, error, loading } = useLoad(() => get<Alerts>('/alerts', { orgUnit, period }), [orgUnit, period]);
  const count = data ? data.targetsMissed.length + data.violations.length : 0;
  return (
    <>
      <h1>{t('alertsTitle')}</h1>
      <UnitSearch value={orgUnit} onChange={(code) => navigate('/alerts', { orgUnit: code, period })} />
      <Loading when={loading} />
      <ErrorBox error={error} />
      {data && count === 0 && <p>{t('alertsNone')}</p>}
      {data && data.targetsMissed.length > 0 && (
        <Card title={`${t('targetsMissed')}: ${data.targetsMissed.length}`} id="targets">
          <ul>
            {data.targetsMissed.map((x, i) => (
              <li key={i} class="error-text" data-target={x.indicator}>
                <code>{x.indicator}</code> {x.period}: {formatNumber(x.measured ?? null)} {x.operator} {formatNumber(x.value)}
              </li>
            ))}
          </ul>
        </Card>
      )}
      {data &&
        data.violations.map((r) => (
          <Card key={r.reportId} title={`${r.template} · ${r.period}`} id={`v-${r.reportId}`}>
            <p>
              <a href={href('/report', { id: r.reportId })}>{r.reportId}</a> · {formatTime(r.time)}
            </p>
            <ul>
              {r.violations.map((v, i) => (
                <li key={i} class="warning">
                  <code>{v.rule}</code> {v.message}
                </li>
              ))}
            </ul>
          </Card>
        ))}
    </>
  );
}
