import { TallyError } from '@tally/contracts';
import type { ReleaseCell, ReleaseHeader } from '@tally/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tableCsv } from './formats/csv';
import { sdmxCsv, sdmxJson } from './formats/sdmx';
import type { DatasetSummary, OpenData } from './open-data';
import type { DataQuery } from './schemas';
import { columnsOf, recordOf } from './table';
import { distributions, FORMATS, releaseUrl } from './urls';

/** What the public dataset reads answer: a dataset's metadata, and its cells as JSON, CSV or SDMX. */

export type Format = 'csv' | 'json' | 'sdmx.csv' | 'sdmx.json';

const LICENCE_NOTE = 'Source: Tally open data. Licence: see `licence` (CC BY 4.0 unless stated): reuse with attribution.';

/** The address datasets are published under: the configured public URL, else the request's own. */
export function baseOf(od: OpenData, request: FastifyRequest): string {
  return od.settings.publicUrl ?? `${request.protocol}://${request.host}`;
}


export async function datasetMeta(od: OpenData, s: DatasetSummary, base: string) {
  const releases = await od.releases(s.def.id);
  const live = s.version === null || releases.length === 0 ? await od.live(s.def) : null;
  const latest = releases[releases.length - 1] ?? null;
  const periods = s.def.periods.length > 0 ? s.def.periods : latest ? latest.periods : [...new Set(live!.cells.map((c) => c.period))].sort();
  return {
    id: s.def.id,
    title: s.def.title.en,
    description: s.def.description.en,
    titles: s.def.title,
    descriptions: s.def.description,
    template: s.def.templates[0] ?? null,
    templates: s.def.templates,
    dataElements: s.def.dataElements,
    indicators: s.def.indicators,
    levels: s.def.levels,
    figures: s.def.figures,
    licence: { name: s.def.licence.id, title: s.def.licence.title, path: s.def.licence.url },
    source: 'Tally reporting platform; administrative units: GSO codes (see data/vn-admin/README.md)',
    publisher: s.def.publisher.name,
    publisherDetails: s.def.publisher,
    updateFrequency: s.def.updateFrequency,
    keywords: s.def.keywords,
    releasePolicy: s.def.release,
    disclosure: s.def.disclosure,
    defined: s.version !== null,
    definitionVersion: s.version,
    /** grows whenever new data arrives (live), or the latest release number */
    version: latest ? latest.release : live!.version,
    periods,
    updatedAt: latest ? latest.releasedAt : live!.updatedAt,
    latestRelease: latest,
    releases: releases.map((r) => ({ release: r.release, releasedAt: r.releasedAt, url: base + releaseUrl(s.def.id, r.release) })),
    formats: FORMATS.map((f) => f.format),
    distributions: [...distributions(base, s.def.id, null), ...releases.flatMap((r) => distributions(base, s.def.id, r.release))],
    fields: columnsOf(s.def),
  };
}

/** The cells a request asks for: a release (the latest public one, one by number, or the one in force at `asOf`) or, before any, the live table. */
async function table(od: OpenData, s: DatasetSummary, release: number | null, q: DataQuery): Promise<{ header: ReleaseHeader | null; cells: ReleaseCell[]; releases: ReleaseHeader[]; updatedAt: string | null }> {
  const releases = await od.releases(s.def.id);
  let header: ReleaseHeader | null;
  if (release !== null) {
    header = releases.find((r) => r.release === release) ?? null;
    if (!header) throw new TallyError('NOT_FOUND', `dataset ${s.def.id} has no public release ${release}`);
  } else if (q.asOf !== undefined) {
    header = [...releases].reverse().find((r) => r.releasedAt <= q.asOf!) ?? null;
    if (!header && releases.length > 0) throw new TallyError('NOT_FOUND', `dataset ${s.def.id} had no release as of ${q.asOf}`);
  } else {
    header = releases[releases.length - 1] ?? null;
  }
  if (header) return { header, cells: await od.releaseCells(header), releases, updatedAt: header.releasedAt };
  const live = await od.live(s.def, q.asOf);
  return { header: null, cells: live.cells, releases, updatedAt: live.updatedAt };
}

function filter(cells: ReleaseCell[], q: DataQuery, releases: ReleaseHeader[], updatedAt: string | null): ReleaseCell[] {
  const list = (v: string | undefined) => (v === undefined ? null : new Set(v.split(',').map((x) => x.trim())));
  const elements = list(q.dataElement);
  const indicators = list(q.indicator);
  const units = list(q.orgUnit ?? q.unit);
  const levels = list(q.level);
  const periods = list(q.period);
  const releasedAt = new Map(releases.map((r) => [r.release, r.releasedAt]));
  return cells.filter((c) => {
    if (elements || indicators) {
      const wanted = c.kind === 'element' ? elements && (elements.has(c.item) || elements.has(c.item.split('.')[0]!)) : indicators?.has(c.item);
      if (!wanted) return false;
    }
    if (units && !units.has(c.unit)) return false;
    if (levels && !levels.has(c.level)) return false;
    if (periods && !periods.has(c.period)) return false;
    if (q.updatedAfter !== undefined) {
      const changed = c.changedIn !== undefined ? releasedAt.get(c.changedIn) : updatedAt;
      if (!changed || Date.parse(changed) <= Date.parse(q.updatedAfter)) return false;
    }
    return true;
  });
}

export async function sendData(od: OpenData, request: FastifyRequest, reply: FastifyReply, q: DataQuery, id: string, format: Format, release: number | null) {
  for (const k of ['asOf', 'updatedAfter'] as const) {
    if (q[k] !== undefined && Number.isNaN(Date.parse(q[k]!))) throw new TallyError('INVALID_REQUEST', `${k} must be an ISO 8601 instant`);
  }
  const s = await od.dataset(id);
  const t = await table(od, s, release, q);
  const all = filter(t.cells, q, t.releases, t.updatedAt);
  const offset = q.offset === undefined ? 0 : Number(q.offset);
  const pageSize = q.limit === undefined ? (format === 'json' ? od.settings.defaultPageSize : all.length) : Math.min(Number(q.limit), od.settings.maxPageSize);
  const cells = all.slice(offset, offset + pageSize);
  const next = offset + cells.length < all.length ? offset + cells.length : null;
  const stem = t.header ? `${id}-release-${t.header.release}` : `${id}-latest`;
  void reply.header('link', `<${s.def.licence.url}>; rel="license"`);
  void reply.header('cache-control', release !== null ? 'public, max-age=31536000, immutable' : 'public, max-age=60');
  if (next !== null) {
    const url = new URL(request.url, 'http://x');
    url.searchParams.set('offset', String(next));
    url.searchParams.set('limit', String(pageSize));
    void reply.header('link', `<${url.pathname}${url.search}>; rel="next", <${s.def.licence.url}>; rel="license"`);
  }
  if (format === 'json') {
    return {
      meta: await datasetMeta(od, s, baseOf(od, request)),
      release: t.header,
      provisional: t.header === null,
      note: LICENCE_NOTE,
      page: { offset, limit: pageSize, total: all.length, next },
      rows: cells.map((c) => recordOf(s.def, c)),
    };
  }
  if (format === 'sdmx.json') {
    void reply.header('content-type', 'application/vnd.sdmx.data+json; version=2.0.0; charset=utf-8');
    return sdmxJson(s.def, cells, { messageId: stem, prepared: t.updatedAt ?? new Date(0).toISOString(), language: q.lang ?? 'vi' });
  }
  const text = format === 'csv' ? tableCsv(s.def, cells, q.bom === '1' || q.bom === 'true') : sdmxCsv(s.def, cells);
  return reply
    .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8')
    .header('content-disposition', `attachment; filename="${stem}${format === 'csv' ? '' : '.sdmx'}.csv"`)
    .send(text);
}
