import { parsePeriod } from '@core/period/period';
import { get } from './api';

interface HierarchyVersion {
  id: string;
  validFrom: string;
  validTo?: string;
  /** level names from the root down */
  levels: string[];
}

let versions: Promise<HierarchyVersion[]> | undefined;

/** The maps, fetched once per page (a failed fetch is tried again next time). */
function allVersions(): Promise<HierarchyVersion[]> {
  versions ??= get<HierarchyVersion[]>('/hierarchies').catch((e: unknown) => {
    versions = undefined;
    throw e;
  });
  return versions;
}

/** The map in force on a day (YYYY-MM-DD). */
export async function hierarchyOn(day: string): Promise<HierarchyVersion | undefined> {
  return (await allVersions()).find((v) => v.validFrom <= day && (!v.validTo || day <= v.validTo));
}

/** The map (hierarchy version) a period is read on: the one in force on its last day, as the API does. */
export async function hierarchyForPeriod(period: string): Promise<string | undefined> {
  const end = parsePeriod(period)?.endDate;
  if (!end) return undefined;
  return (await hierarchyOn(end))?.id;
}
