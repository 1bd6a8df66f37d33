import { shiftPeriod } from '@core/period/period';
import { Card, ErrorBox, Loading, UnitSearch } from '../components';
import { get, pool } from '../lib/api';
import { hierarchyForPeriod } from '../lib/hierarchies';
import { useLoad } from '../lib/hooks';
import { formatNumber, t } from '../lib/i18n';
import { navigate } from '../lib/router';
import { periodRange, rankDescending } from '../lib/ranking';
import type { Catalog, Me, OrgUnit, Rollup } from '../lib/types';

/**
 * A unit over a range of periods, from the rollups API: an indicator's trend, the ranking of the child units
 * (ties share a rank), a completeness heat table, the estimate next to the official figure, "as of" an instant
 * (time travel) and the map to read it on (2025 or pre-2025).
 */
export function DashboardScreen({ me, params }: { me: Me; params: URLSearchParams }) {
  const orgUnit = params.get('orgUnit') ?? (me.orgUnit === 'VN' ? '19' : me.orgUnit);
  const from = params.get('from') ?? '2025S1';
  const to = params.get('to') ?? '2026S2';
  const asOf = params.get('asOf') ?? '';
  const hierarchy = params.get('hierarchy') ?? '';
  const catalog = useLoad(() => get<Catalog>('/catalog'), []);
  const indicator = params.get('indicator') ?? catalog.data?.indicators?.[0]?.code ?? '';
  const template = catalog.data?.templates[0]?.code ?? '';
  const state = { orgUnit, from, to, asOf, hierarchy, indicator };
  const go = (p: Record<string, string>) => navigate('/dashboard', { ...state, ...p });
  const asOfIso = asOf ? new Date(asOf).toISOString() : undefined;
  const h = hierarchy || undefined;

  const data = useLoad(async () => {
    if (!indicator) return null;
    const periods = periodRange(from, to, shiftPeriod, 8);
    const rollup = (unit: string, period: string, figures?: string) =>
      get<Rollup>('/rollups', { orgUnit: unit, period, hierarchy: h, asOf: asOfIso, figures }).catch(() => null);
    const trend = await pool(periods, 4, (p) => rollup(orgUnit, p));
    const last = [...periods].reverse().find((_, i) => trend[periods.length - 1 - i]?.indicators[indicator]?.value != null) ?? periods[periods.length - 1]!;
    const unit = await get<{ unit: OrgUnit; children: OrgUnit[]; hierarchy: string }>(`/org-units/${orgUnit}`, { hierarchy: h ?? (await hierarchyForPeriod(last)) });
    const children = unit.children.slice(0, 120);
    const childRollups = await pool(children, 6, (c) => rollup(c.code, last));
    const heatUnits = children.slice(0, 20);
    const heat = await pool(heatUnits, 6, (c) => pool(periods, 4, (p) => rollup(c.code, p)));
    const [estimate, official] = await Promise.all([rollup(orgUnit, last, 'estimate'), rollup(orgUnit, last, 'official')]);
    return { periods, trend, last, unit, children, childRollups, heatUnits, heat, estimate, official };
  }, [orgUnit, from, to, asOf, hierarchy, indicator]);

  const d = data.data;
  const value = (r: Rollup | null | undefined) => r?.indicators[indicator]?.value ?? null;
  const max = d ? Math.max(1, ...d.trend.map((r) => value(r) ?? 0)) : 1;
  const ranking = d ? rankDescending(d.children.map((c, i) => ({ c, r: d.childRollups[i] })), (x) => value(x.r)) : [];
  const indicatorName = catalog.data?.indicators?.find((i) => i.code === indicator)?.name ?? indicator;
  return (
    <>
      <h1>{t('dashTitle')}</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <UnitSearch value={orgUnit} hierarchy={h} onChange={(code) => go({ orgUnit: code })} />
        <div class="field">
          <label for="ind">{t('indicator')}</label>
          <select id="ind" value={indicator} onChange={(e) => go({ indicator: (e.target as HTMLSelectElement).value })}>
            {(catalog.data?.indicators ?? []).map((i) => (
              <option key={i.code} value={i.code}>
                {i.name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="from">{t('from')}</label>
          <input id="from" size={8} value={from} onChange={(e) => go({ from: (e.target as HTMLInputElement).value.trim().toUpperCase() })} />
        </div>
        <div class="field">
          <label for="to">{t('to')}</label>
          <input id="to" size={8} value={to} onChange={(e) => go({ to: (e.target as HTMLInputElement).value.trim().toUpperCase() })} />
        </div>
        <div class="field">
          <label for="asof">{t('asOf')}</label>
          <input id="asof" type="datetime-local" step={1} value={asOf} onChange={(e) => go({ asOf: (e.target as HTMLInputElement).value })} />
          <small class="hint">{t('asOfHint')}</small>
        </div>
        <div class="field">
          <label for="map">{t('map')}</label>
          <select id="map" value={hierarchy} onChange={(e) => go({ hierarchy: (e.target as HTMLSelectElement).value })}>
            <option value="">{t('map2025')} / auto</option>
            <option value="2025">{t('map2025')}</option>
            <option value="pre2025">{t('mapPre2025')}</option>
          </select>
        </div>
      </form>
      <Loading when={data.loading || catalog.loading} />
      <ErrorBox error={data.error ?? catalog.error} />
      {d && (
        <>
          <p class="meta">
            <strong>{d.unit.unit.name}</strong> · {indicatorName} · {t('map')}: {d.unit.hierarchy} · {t('asOf')}: {asOfIso ?? new Date().toISOString()}
          </p>
          <div class="two">
            <Card title={t('trend')} id="trend">
              <svg class="chart" viewBox={`0 0 ${d.periods.length * 60} 140`} role="img" aria-label={`${t('trend')}: ${indicatorName}`}>
                {d.trend.map((r, i) => {
                  const v = value(r);
                  const height = v === null ? 0 : (100 * v) / max;
                  return (
                    <g key={d.periods[i]}>
                      <rect x={i * 60 + 10} y={120 - height} width={40} height={height} class={r?.estimated ? 'est' : 'off'} />
                      <text x={i * 60 + 30} y={135} text-anchor="middle">
                        {d.periods[i]}
                      </text>
                      <text x={i * 60 + 30} y={115 - height} text-anchor="middle">
                        {v === null ? '' : formatNumber(v, 1)}
                      </text>
                    </g>
                  );
                })}
              </svg>
              <table class="trend-table">
                <thead>
                  <tr>
                    <th scope="col">{t('period')}</th>
                    <th scope="col">{t('value')}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.trend.map((r, i) => (
                    <tr key={d.periods[i]} data-period={d.periods[i]}>
                      <td>{d.periods[i]}</td>
                      <td class="num" data-value={value(r) ?? ''}>
                        {value(r) === null ? t('noData') : formatNumber(value(r))} {r?.estimated ? <small>({t('estimate')})</small> : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Card>
            <Card title={`${t('estVsOff')} · ${d.last}`} id="estoff">
              <dl class="estoff">
                <dt>{t('figuresEstimate')}</dt>
                <dd data-figures="estimate">{formatNumber(value(d.estimate))}</dd>
                <dt>{t('figuresOfficial')}</dt>
                <dd data-figures="official">{formatNumber(value(d.official))}</dd>
              </dl>
            </Card>
          </div>
          <div class="two">
            <Card title={`${t('ranking')} · ${d.last}`} id="ranking">
              <div class="scroll tall" tabIndex={0}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('rank')}</th>
                      <th scope="col">{t('unit')}</th>
                      <th scope="col">{t('value')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {ranking.map(({ item, value: v, rank }) => (
                      <tr key={item.c.code}>
                        <td>{rank ?? '–'}</td>
                        <td>{item.c.name}</td>
                        <td class="num">{formatNumber(v)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </Card>
            <Card title={`${t('heat')} · ${template}`} id="heat">
              <div class="scroll tall" tabIndex={0}>
                <table class="heat">
                  <thead>
                    <tr>
                      <th scope="col">{t('unit')}</th>
                      {d.periods.map((p) => (
                        <th scope="col" key={p}>
                          {p}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {d.heatUnits.map((u, i) => (
                      <tr key={u.code}>
                        <th scope="row">{u.name}</th>
                        {d.heat[i]!.map((r, j) => {
                          const c = r?.completeness[template];
                          const share = c && c.expected > 0 ? c.received / c.expected : null;
                          return (
                            <td key={j} class={`heat-${share === null ? 'none' : Math.min(4, Math.floor(share * 5))}`}>
                              {share === null ? '–' : `${Math.round(share * 100)}%`}
                            </td>
                          );
                        })}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </Card>
          </div>
        </>
      )}
    </>
  );
}
