import type { BucketSettings } from '@tally/auth';
import { intSetting } from '@tally/runtime';

/** Open-data settings, from the environment. */
export interface OpenDataSettings {
  /** TALLY_PUBLIC_URL: the base URL catalogs and Data Packages use for absolute links; absent: the request's own host */
  publicUrl: string | null;
  /** TALLY_OPEN_DATA_RATE_BURST / TALLY_OPEN_DATA_RATE_PER_SEC: the open-data request budget per client IP */
  rateLimit: BucketSettings;
  /** TALLY_OPEN_DATA_RELEASE_INTERVAL_MS: how often due releases (approvals, locks, calendar) are cut */
  releaseIntervalMs: number;
  /** cells per release-part event (keeps each event well under a Kafka message limit) */
  partSize: number;
  /** rows of a JSON page when `limit` is not given */
  defaultPageSize: number;
  maxPageSize: number;
}

export function loadOpenDataSettings(env: NodeJS.ProcessEnv = process.env): OpenDataSettings {
  const int = (name: string, fallback: number): number => intSetting(env, name, fallback, 1);
  const url = env.TALLY_PUBLIC_URL?.trim();
  return {
    publicUrl: url ? url.replace(/\/+$/, '') : null,
    rateLimit: { burst: int('TALLY_OPEN_DATA_RATE_BURST', 120), perSec: int('TALLY_OPEN_DATA_RATE_PER_SEC', 20) },
    releaseIntervalMs: int('TALLY_OPEN_DATA_RELEASE_INTERVAL_MS', 5000),
    partSize: 1000,
    defaultPageSize: 1000,
    maxPageSize: 10000,
  };
}
