/** How `pnpm start:distributed` restarts a service that exited: exponential backoff, capped. */
export interface SupervisionOptions {
  /** the first restart's delay; default 1 s */
  initialDelayMs?: number;
  /** the longest delay; default 30 s */
  maxDelayMs?: number;
  /** a service that ran this long before exiting counts as healthy: its next restart is quick again; default 60 s */
  stableAfterMs?: number;
}

/** The delay before the restart that follows `failures` restarts in a row that did not last: 1 s, 2 s, 4 s, ... 30 s. */
export function restartDelayMs(failures: number, options: SupervisionOptions = {}): number {
  const initial = options.initialDelayMs ?? 1_000;
  const max = options.maxDelayMs ?? 30_000;
  return Math.min(max, initial * 2 ** Math.min(failures, 30));
}

/** A service as the launcher sees it. */
export interface ServiceState {
  pid: number | null;
  /** up: answered /health/ready; starting: spawned, not ready yet; down: exited, a restart is due or not wanted */
  status: 'up' | 'starting' | 'down';
  /** restarts by the supervisor since the deployment started */
  restarts: number;
}
