import { parsePeriod } from '@core/period/period';
import { get } from './api';

interface HierarchyVersion {
  id: string;
  validFrom: string;
  validTo?: string;
}

let versions: Promise<HierarchyVersion[]> | undefined;

/** The map (hierarchy version) a period is read on: the one in force on its last day, as the API does. */
export async function hierarchyForPeriod(period: string): Promise<string | undefined> {
  versions ??= get<HierarchyVersion[]>('/hierarchies').catch((e: unknown) => {
    versions = undefined;
    throw e;
  });
  const end = parsePeriod(period)?.endDate;
  if (!end) return undefined;
  return (await versions).find((v) => v.validFrom <= end && (!v.validTo || end <= v.validTo))?.id;
}
