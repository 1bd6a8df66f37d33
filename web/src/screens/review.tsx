import { useState } from 'preact/hooks';
import { Card, ErrorBox, Loading, UnitSearch } from '../components';
import { get } from '../lib/api';
import { hierarchyForPeriod } from '../lib/hierarchies';
import { useLoad } from '../lib/hooks';
import { t } from '../lib/i18n';
import { href, navigate } from '../lib/router';
import { matches } from '../lib/text';
import type { Catalog, Completeness, Me, OrgUnit } from '../lib/types';
import { ExcelPanel } from './excel';
import { SubtreeReports } from './subtree-reports';

/**
 * A reviewer's view of its subtree for one template and period: completeness per child unit (expected, received,
 * on time) as a tree one level at a time, the units that have not reported, and the reports of the whole subtree
 * (filtered by status, paged) to open, approve or return.
 */
export function ReviewScreen({ me, orgUnit: unitParam, template: templateParam, period: periodParam }: { me: Me; orgUnit?: string | undefined; template?: string | undefined; period?: string | undefined }) {
  const orgUnit = unitParam ?? (me.orgUnit === 'VN' ? '19' : me.orgUnit);
  const catalog = useLoad(() => get<Catalog>('/catalog'), []);
  const template = templateParam ?? catalog.data?.templates[0]?.code ?? 'M1719_S';
  const period = periodParam ?? '2026S1';
  const go = (p: Record<string, string>) => navigate('/review', { orgUnit, template, period, ...p });
  const [filter, setFilter] = useState('');
  const tree = useLoad(async () => {
    const [top, unit] = await Promise.all([get<Completeness>('/completeness', { orgUnit, period, template }), hierarchyForPeriod(period).then((hierarchy) => get<{ unit: OrgUnit; children: OrgUnit[] }>(`/org-units/${orgUnit}`, { hierarchy }))]);
    const children = await Promise.all(
      unit.children.slice(0, 200).map((c) =>
        get<Completeness>('/completeness', { orgUnit: c.code, period, template }).then(
          (r) => ({ unit: c, completeness: r as Completeness | null }),
          () => ({ unit: c, completeness: null }),
        ),
      ),
    );
    return { top, unit: unit.unit, children };
  }, [orgUnit, template, period]);
  const pct = (c: Completeness | null) => (c && c.expected > 0 ? Math.round((100 * c.received) / c.expected) : 0);
  const d = tree.data;
  return (
    <>
      <h1>{t('reviewTitle')}</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <UnitSearch value={orgUnit} onChange={(code) => go({ orgUnit: code })} />
        <div class="field">
          <label for="tpl">{t('template')}</label>
          <select id="tpl" value={template} onChange={(e) => go({ template: (e.target as HTMLSelectElement).value })}>
            {(catalog.data?.templates ?? []).map((x) => (
              <option key={x.code} value={x.code}>
                {x.code}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="per">{t('period')}</label>
          <input id="per" value={period} onChange={(e) => go({ period: (e.target as HTMLInputElement).value.trim().toUpperCase() })} />
        </div>
      </form>
      <Loading when={tree.loading} />
      <ErrorBox error={tree.error} />
      {d && (
        <>
          <p class="summary" data-received={d.top.received} data-expected={d.top.expected}>
            <strong>{d.unit.name}</strong>: {t('received')} {d.top.received}/{d.top.expected} · {t('onTime')} {d.top.onTime} · {t('deadline')} {d.top.deadline}
          </p>
          <div class="two">
            <Card title={`${t('reviewTitle')} · ${d.unit.name}`} id="tree">
              <ul class="tree" tabIndex={0}>
                {d.children.map(({ unit, completeness }) => (
                  <li key={unit.code}>
                    <a href={href('/review', { orgUnit: unit.code, template, period })}>{unit.name}</a> <small>{unit.code}</small>
                    {completeness && (
                      <span class="bar" role="img" aria-label={`${completeness.received}/${completeness.expected}`}>
                        <span style={{ width: `${pct(completeness)}%` }} />
                      </span>
                    )}
                    {completeness && (
                      <small>
                        {completeness.received}/{completeness.expected} ({t('onTime')} {completeness.onTime})
                      </small>
                    )}
                  </li>
                ))}
              </ul>
            </Card>
            <Card title={`${t('missingUnits')} (${d.top.missing.length})`} id="missing">
              <label for="missing-filter" class="sr-only">
                {t('searchUnit')}
              </label>
              <input id="missing-filter" type="search" placeholder={t('searchUnit')} value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
              <ul class="missing" tabIndex={0}>
                {d.top.missing
                  .filter((m) => !filter || matches(`${m.name} ${m.code}`, filter))
                  .slice(0, 300)
                  .map((m) => (
                    <li key={m.code}>
                      {m.name} <small>({m.code})</small>
                    </li>
                  ))}
              </ul>
            </Card>
          </div>
          <SubtreeReports orgUnit={orgUnit} template={template} period={period} names={new Map([[d.unit.code, d.unit.name], ...d.children.map(({ unit }): [string, string] => [unit.code, unit.name])])} />
          {d.unit.level !== 'commune' && <ExcelPanel template={template} orgUnit={orgUnit} period={period} children />}
        </>
      )}
    </>
  );
}
