import { readFileSync } from 'node:fs';
import type { HttpClient } from './http';

/** One look at the national rollup. */
export interface RollupSample {
  /** bench clock (ms) when the answer arrived */
  t: number;
  position: number;
  received: number;
}

/** Polls GET /api/v1/rollups?orgUnit=VN at a fixed interval (one request in flight at most). */
export class RollupPoller {
  readonly samples: RollupSample[] = [];
  errors = 0;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly client: HttpClient,
    private readonly period: string,
    private readonly template: string,
    private readonly intervalMs: number,
  ) {}

  start(): this {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    void this.tick();
    return this;
  }

  async sample(): Promise<RollupSample | undefined> {
    try {
      const r = await this.client.request('GET', `/api/v1/rollups?orgUnit=VN&period=${this.period}`, undefined, 10_000);
      if (r.status !== 200) {
        this.errors++;
        return undefined;
      }
      const body = r.body as { position?: number; completeness?: Record<string, { received?: number }> };
      const s = { t: performance.now(), position: Number(body.position ?? 0), received: Number(body.completeness?.[this.template]?.received ?? 0) };
      this.samples.push(s);
      return s;
    } catch {
      this.errors++;
      return undefined;
    }
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.sample();
    } finally {
      this.busy = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

export interface LagSample {
  /** seconds since the load started */
  t: number;
  /** events in the store not yet on the bus */
  relayLag: number;
  /** sum of every consumer group's lag */
  totalLag: number;
  /** the rollup consumer's lag (what national freshness waits on) */
  rollupLag: number;
  byGroup: Record<string, number>;
}

/** Samples GET /api/v1/health as an operator (consumer lag per group, relay lag) every second. */
export class HealthSampler {
  readonly samples: LagSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly client: HttpClient,
    private readonly origin: number,
    private readonly intervalMs = 1_000,
  ) {}

  start(): this {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    return this;
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const r = await this.client.request('GET', '/api/v1/health', undefined, 10_000, this.client.opsHeaders);
      if (r.status === 200) {
        const body = r.body as { log?: { relayLag?: number }; services?: Array<{ consumers?: Array<{ group: string; lag: number }> }> };
        const byGroup: Record<string, number> = {};
        for (const s of body.services ?? []) for (const c of s.consumers ?? []) byGroup[c.group] = c.lag;
        this.samples.push({
          t: Math.round((performance.now() - this.origin) / 100) / 10,
          relayLag: Number(body.log?.relayLag ?? 0),
          totalLag: Object.values(byGroup).reduce((a, b) => a + b, 0),
          // distributed mode prefixes groups with the run's Kafka namespace
          rollupLag: Object.entries(byGroup).find(([g]) => g === 'hierarchy-rollup.rollups' || g.endsWith('.hierarchy-rollup.rollups'))?.[1] ?? 0,
          byGroup,
        });
      }
    } catch {
      /* down (chaos) or busy: skip this sample */
    } finally {
      this.busy = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

/** Samples VmRSS of every target process (from /proc/<pid>/status) and keeps the peaks. */
export class RssSampler {
  readonly peakByProcess: Record<string, number> = {};
  peakTotalKb = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly processes: () => Array<{ name: string; pid: number }>,
    private readonly intervalMs = 200,
  ) {}

  start(): this {
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.sample();
    return this;
  }

  sample(): void {
    let total = 0;
    for (const p of this.processes()) {
      const kb = vmRssKb(p.pid);
      if (kb === undefined) continue;
      total += kb;
      this.peakByProcess[p.name] = Math.max(this.peakByProcess[p.name] ?? 0, kb);
    }
    this.peakTotalKb = Math.max(this.peakTotalKb, total);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.sample();
  }
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** user + system CPU seconds of a process so far (every thread). */
export function cpuSec(pid: number): number | undefined {
  return statCpuSec(`/proc/${pid}/stat`);
}

/**
 * user + system CPU seconds of a process's main thread so far: its JavaScript, and SQLite's work, which runs on it.
 * The rest of the process's CPU is its other threads: V8's (concurrent compilation, garbage collection), libuv's
 * pool, worker threads.
 */
export function mainThreadCpuSec(pid: number): number | undefined {
  return statCpuSec(`/proc/${pid}/task/${pid}/stat`);
}

function statCpuSec(path: string): number | undefined {
  try {
    const stat = readFileSync(path, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // after the command: state(0) ppid(1) ... utime(11) stime(12)
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

export function vmRssKb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
