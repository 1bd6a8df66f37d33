import { sleep } from '../infra/process';
import { reportBody, type Op, type Workload } from '../workload';
import type { HttpClient } from './http';

export interface OpResult {
  /** ms on the bench clock (performance.now()) */
  sentAt: number;
  ackAt: number;
  /** latency of the request that was acknowledged */
  latencyMs: number;
  position: number;
  version: number;
  duplicate: boolean;
  attempts: number;
}

export interface LoadOptions {
  /** requests in flight at most */
  concurrency: number;
  /** spread arrivals over this many ms following the workload's schedule; 0 = as fast as possible, in schedule order */
  windowMs: number;
  /** retry network errors and 5xx until acknowledged (chaos); otherwise give up after `maxAttempts` */
  retryForever?: boolean;
  maxAttempts?: number;
  /** called once per acknowledged op */
  onAck?: (op: Op, result: OpResult) => void;
  /** stop sending (ops not yet sent stay unacknowledged) */
  signal?: { stopped: boolean };
}

export interface LoadResult {
  results: Array<OpResult | undefined>;
  startedAt: number;
  endedAt: number;
  /** latency of every answered request, ms */
  latencies: number[];
  /** requests that failed (network error or 5xx) and were retried */
  retriedErrors: number;
  /** ops that were refused or never acknowledged, with why */
  failures: Array<{ op: number; reason: string }>;
}

/**
 * Sends the workload's ops over HTTP with bounded concurrency, in arrival order, an amendment or retry only
 * after the submission it depends on is acknowledged.
 */
export async function runLoad(client: HttpClient, w: Workload, options: LoadOptions): Promise<LoadResult> {
  const results: Array<OpResult | undefined> = new Array(w.ops.length).fill(undefined);
  const acked: Array<Promise<void>> = [];
  const resolveAck: Array<() => void> = [];
  for (let i = 0; i < w.ops.length; i++) acked.push(new Promise<void>((r) => (resolveAck[i] = r)));
  const latencies: number[] = [];
  const failures: LoadResult['failures'] = [];
  let retriedErrors = 0;
  let next = 0;
  const startedAt = performance.now();
  const maxAttempts = options.maxAttempts ?? 8;

  const sendOne = async (op: Op): Promise<void> => {
    if (options.windowMs > 0) {
      const due = startedAt + op.at * options.windowMs;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
    if (op.after !== undefined) await acked[op.after];
    const body = reportBody(w, op);
    let backoff = 50;
    for (let attempt = 1; ; attempt++) {
      if (options.signal?.stopped) return;
      const sentAt = performance.now();
      let status = 0;
      let answer: Record<string, unknown> | undefined;
      let error = '';
      try {
        const r = await client.request('POST', '/api/v1/reports', body, 120_000);
        status = r.status;
        answer = r.body as Record<string, unknown>;
        latencies.push(r.ms);
        if (status === 202) {
          const result: OpResult = {
            sentAt,
            ackAt: performance.now(),
            latencyMs: r.ms,
            position: Number(answer.position),
            version: Number(answer.version),
            duplicate: op.kind === 'retry' || (answer as { duplicate?: boolean }).duplicate === true,
            attempts: attempt,
          };
          results[op.index] = result;
          options.onAck?.(op, result);
          resolveAck[op.index]!();
          return;
        }
        error = `${status} ${JSON.stringify(answer).slice(0, 300)}`;
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      const retryable = status === 0 || status >= 500 || status === 429 || status === 401;
      if (!retryable || (!options.retryForever && attempt >= maxAttempts)) {
        failures.push({ op: op.index, reason: `${op.kind} ${op.submissionId}: ${error}` });
        resolveAck[op.index]!(); // dependants fail on their own (or are refused)
        return;
      }
      retriedErrors++;
      await sleep(backoff);
      backoff = Math.min(1_000, backoff * 2);
    }
  };

  const worker = async () => {
    while (next < w.ops.length && !options.signal?.stopped) {
      const op = w.ops[next++]!;
      await sendOne(op);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return { results, startedAt, endedAt: performance.now(), latencies, retriedErrors, failures };
}
