import { useState } from 'preact/hooks';
import { Card, ErrorBox, Loading } from '../components';
import { get } from '../lib/api';
import { useLoad } from '../lib/hooks';
import { t } from '../lib/i18n';
import { matches } from '../lib/text';

interface Dataset {
  id: string;
  title: string;
  description?: string;
  licence?: { name?: string; title?: string; path?: string };
  source?: string;
  publisher?: string;
  version?: number | string;
  periods?: string[];
  updatedAt?: string | null;
  distributions?: Array<{ format: string; mediaType?: string; url: string }>;
}

/** The citizen's page, no sign-in: the datasets, a preview of each, CSV/JSON downloads, licence and source. */
export function OpenDataScreen() {
  const list = useLoad(() => get<{ datasets: Dataset[] } | Dataset[]>('/open-data/datasets'), []);
  const [filter, setFilter] = useState('');
  const [preview, setPreview] = useState<{ id: string; rows: Array<Record<string, unknown>> } | null>(null);
  const datasets = list.data ? (Array.isArray(list.data) ? list.data : list.data.datasets) : [];
  const show = async (d: Dataset) => {
    const json = d.distributions?.find((x) => x.format === 'json')?.url ?? `/api/v1/open-data/datasets/${d.id}.json`;
    const r = await fetch(json);
    const body = (await r.json()) as unknown;
    const rows = Array.isArray(body) ? body : ((body as { data?: unknown[]; rows?: unknown[] }).data ?? (body as { rows?: unknown[] }).rows ?? []);
    setPreview({ id: d.id, rows: (rows as Array<Record<string, unknown>>).slice(0, 20) });
  };
  return (
    <>
      <h1>{t('openTitle')}</h1>
      <p>{t('openIntro')}</p>
      <label for="ds-filter">{t('searchDataset')}</label>
      <input id="ds-filter" class="filter" type="search" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
      <Loading when={list.loading} />
      <ErrorBox error={list.error} />
      {datasets
        .filter((d) => !filter || matches(`${d.title} ${d.description ?? ''}`, filter))
        .map((d) => (
          <Card key={d.id} title={d.title} id={`ds-${d.id}`}>
            {d.description && <p>{d.description}</p>}
            <dl class="meta-list">
              <dt>{t('licence')}</dt>
              <dd>{d.licence?.path ? <a href={d.licence.path}>{d.licence.title ?? d.licence.name}</a> : (d.licence?.title ?? d.licence?.name ?? '')}</dd>
              <dt>{t('source')}</dt>
              <dd>{[d.publisher, d.source].filter(Boolean).join(' · ')}</dd>
              <dt>{t('version')}</dt>
              <dd>
                {String(d.version ?? '')} {d.updatedAt ? `· ${d.updatedAt}` : ''}
              </dd>
              <dt>{t('periods')}</dt>
              <dd>{(d.periods ?? []).join(', ')}</dd>
            </dl>
            <p class="buttons">
              <button type="button" class="secondary" onClick={() => void show(d)}>
                {t('preview')} <span class="sr-only">{d.title}</span>
              </button>
              {(d.distributions ?? []).map((x) => (
                <a key={x.format} class="button" href={x.url} download={`${d.id}.${x.format}`} data-format={x.format}>
                  {t('download')} {x.format.toUpperCase()} <span class="sr-only">{d.title}</span>
                </a>
              ))}
            </p>
            {preview?.id === d.id && <Preview rows={preview.rows} />}
          </Card>
        ))}
    </>
  );
}

function Preview({ rows }: { rows: Array<Record<string, unknown>> }) {
  if (rows.length === 0) return <p>{t('noData')}</p>;
  const cols = Object.keys(rows[0]!);
  return (
    <div class="scroll" tabIndex={0}>
      <table class="preview">
        <thead>
          <tr>
            {cols.map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {cols.map((c) => (
                <td key={c}>{String(r[c] ?? '')}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
