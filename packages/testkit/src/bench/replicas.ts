import type { DistributedTarget } from './distributed';

/** Per process of a service that runs several (`--replicas SERVICE=N`): the events each applied, per consumer group. */
export interface ReplicaFigures {
  /** `<service>` (its first replica) or `<service>#<n>` */
  [instance: string]: { service: string; replica: number; applied: Record<string, number> | null };
}

const APPLIED = /^tally_consumer_events_applied_total\{([^}]*)\}\s+([0-9.e+]+)/;

/** The events a process applied per consumer group since it started, from its own /metrics (operators only). */
export async function appliedByGroup(http: number, headers: Record<string, string>): Promise<Record<string, number> | null> {
  try {
    const r = await fetch(`http://127.0.0.1:${http}/metrics`, { headers, signal: AbortSignal.timeout(10_000) });
    if (!r.ok) return null;
    const out: Record<string, number> = {};
    for (const line of (await r.text()).split('\n')) {
      const m = APPLIED.exec(line);
      const group = m ? /group="([^"]*)"/.exec(m[1]!)?.[1] : undefined;
      if (m && group) out[group] = (out[group] ?? 0) + Number(m[2]);
    }
    return out;
  } catch {
    return null;
  }
}

/**
 * Reads every replica of the services that run more than one, and says what is wrong: a replica that did not
 * answer, or one that applied no event of a consumer group its siblings applied events of (groups shared by the
 * replicas; a per-process group such as `<service>.cache.<instance>` is its own). Counts start at 0 with the
 * process: a replica restarted by chaos counts from its restart.
 */
export async function replicaFigures(target: DistributedTarget, headers: Record<string, string>): Promise<{ figures: ReplicaFigures; problems: string[] }> {
  const replicated = new Set(Object.entries(target.replicas).filter(([, n]) => (n ?? 1) > 1).map(([s]) => s));
  const figures: ReplicaFigures = {};
  for (const i of target.instances()) {
    if (replicated.has(i.service)) figures[i.name] = { service: i.service, replica: i.replica, applied: await appliedByGroup(i.http, headers) };
  }
  const problems: string[] = [];
  for (const service of replicated) {
    const mine = Object.entries(figures).filter(([, f]) => f.service === service);
    const groups = new Set(mine.flatMap(([, f]) => Object.keys(f.applied ?? {})).filter((g) => !g.includes('.cache.')));
    for (const [name, f] of mine) {
      if (!f.applied) problems.push(`replica ${name} did not answer /metrics`);
      else for (const g of groups) if (!(f.applied[g]! > 0)) problems.push(`replica ${name} applied no event of ${g}`);
    }
  }
  return { figures, problems };
}
