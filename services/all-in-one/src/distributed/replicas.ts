import { SERVICE_NAMES, type ServiceName } from './routes';

/**
 * `--replicas SERVICE=N[,SERVICE=N...]` (the flag may repeat): how many processes of a service distributed mode
 * runs (`pnpm start:distributed`, `pnpm bench --mode distributed`, `pnpm chaos --mode distributed`). Throws an
 * Error naming the problem for an unknown service or a count that is not a whole number from 1 to 8.
 */
export function parseReplicas(specs: readonly string[]): Partial<Record<ServiceName, number>> {
  const out: Partial<Record<ServiceName, number>> = {};
  for (const part of specs.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z-]+)=(\d+)$/.exec(part);
    if (!m) throw new Error(`--replicas expects SERVICE=N (e.g. hierarchy-rollup=2), got "${part}"`);
    const service = m[1] as ServiceName;
    if (!SERVICE_NAMES.includes(service)) throw new Error(`--replicas: unknown service "${m[1]}" (one of ${SERVICE_NAMES.join(', ')})`);
    const n = Number(m[2]);
    if (n < 1 || n > MAX_REPLICAS) throw new Error(`--replicas: ${service}=${n}; a service runs 1 to ${MAX_REPLICAS} processes`);
    out[service] = n;
  }
  return out;
}

/** one process per bus partition of the busiest topic at most: more would sit idle */
export const MAX_REPLICAS = 8;
