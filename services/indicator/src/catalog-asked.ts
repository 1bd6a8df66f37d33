import { TallyError } from '@tally/contracts';
import type { Catalog } from '@tally/core';
import { BooleanParam, IsoDate, Strict, Type, type Static } from '@tally/runtime';
import type { CatalogRegistry } from './catalog-registry';

/** `?version=` | `?date=` | `?latest=true` of the catalog reads (`GET /catalog`, `GET /catalog/xlsx`). */
export const CatalogAskQuery = Strict({ version: Type.Optional(Type.String({ maxLength: 64 })), date: Type.Optional(IsoDate), latest: Type.Optional(BooleanParam) });
export type CatalogAsk = Static<typeof CatalogAskQuery>;

function notFound(message: string): never {
  throw new TallyError('NOT_FOUND', message);
}

/** Catalog dates are Vietnamese legal dates: "today" is the date in Vietnam (UTC+7, no daylight saving). */
export function todayInVietnam(now = Date.now()): string {
  return new Date(now + 7 * 3_600_000).toISOString().slice(0, 10);
}

/** The version asked for: that version, the last published, or the one in force on the date (default today in Vietnam). */
export function catalogAsked(registry: CatalogRegistry, q: CatalogAsk): Catalog {
  if ([q.version, q.date, q.latest === 'true' ? q.latest : undefined].filter((x) => x !== undefined).length > 1) {
    throw new TallyError('INVALID_REQUEST', 'give at most one of version, date and latest=true');
  }
  if (q.version) return registry.version(q.version) ?? notFound(`no catalog version ${q.version}`);
  if (q.latest === 'true') return registry.latest() ?? notFound('no catalog is published');
  const date = q.date ?? todayInVietnam();
  return (
    registry.forDate(date) ?? notFound(registry.latest() ? `no catalog version is in force on ${date} (?latest=true for the last published)` : 'no catalog is published')
  );
}
