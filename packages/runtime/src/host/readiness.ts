import type { EventConsumer } from '../consumer/event-consumer';
import { intSetting } from '../env-settings';

/**
 * Readiness tied to catch-up: a service that has started but whose consumers are far behind the log (after a
 * restart, a rebuild or a new replica taking over partitions) would answer queries with stale read models,
 * so it reports not ready until every consumer's lag is at most `maxLag` (TALLY_READY_MAX_LAG, default 1000).
 */
export async function readiness(started: boolean, consumers: EventConsumer[], maxLag: number): Promise<{ ready: boolean; reason?: string }> {
  if (!started) return { ready: false, reason: 'starting' };
  for (const c of consumers) {
    const lag = (await c.lag()).reduce((n, l) => n + l.lag, 0);
    // public answer: no group names or figures (those are for operators, GET /api/v1/health)
    if (lag > maxLag) return { ready: false, reason: 'catching up with the event log' };
  }
  return { ready: true };
}

export function readyMaxLag(env: NodeJS.ProcessEnv = process.env): number {
  return intSetting(env, 'TALLY_READY_MAX_LAG', 1000);
}
