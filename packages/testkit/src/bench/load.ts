import { sleep } from '../infra/process';
import { reportBody, type Op, type Workload } from '../workload';
import type { StreamSubmitter } from './distributed';
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
  /** distributed mode: a share of the ops goes over the gRPC SubmitStream, in batches */
  grpc?: GrpcLane;
  /** the headers an HTTP submission is sent with (its province's account: submitters.ts); default the client's */
  headersFor?: (op: Op) => Record<string, string> | undefined;
}

export interface GrpcLane {
  submitter: StreamSubmitter;
  /** which ops go over gRPC (the others over HTTP) */
  useGrpc: (op: Op) => boolean;
  /** reports per SubmitStream call */
  batchSize: number;
  /** SubmitStream calls in flight at most */
  streams: number;
}

/** Error codes of a per-report gRPC result worth sending again (the same submissionId). */
const RETRYABLE_CODES = new Set(['UNAVAILABLE', 'INTERNAL', 'NOT_CAUGHT_UP', 'RATE_LIMITED', 'UNAUTHENTICATED']);

export interface LoadResult {
  results: Array<OpResult | undefined>;
  startedAt: number;
  endedAt: number;
  /** latency of every answered request, ms */
  latencies: number[];
  /** requests that failed (network error, 5xx, 401 or 429) and were sent again */
  retriedErrors: number;
  /** of those, the 429s waited out (an account over its rate limit: submitters.ts) */
  rateLimited: number;
  /** ops that were refused or never acknowledged, with why */
  failures: Array<{ op: number; reason: string }>;
  /** ops sent over HTTP / over the gRPC stream */
  httpOps: number;
  grpcOps: number;
  /** duration of every SubmitStream call that answered, ms */
  grpcBatchLatencies: number[];
  /** reports per SubmitStream call that answered */
  grpcBatchSizes: number[];
}

/**
 * Sends the workload's ops over HTTP with bounded concurrency, in arrival order, an amendment or retry only
 * after the submission it depends on is acknowledged.
 */
/** 429s a submission waits out (Retry-After) before they count as failed attempts */
const MAX_RATE_LIMITED_WAITS = 100;

/** The wait a 429 asks for (`error.details.retryAfterSec`), within 0.1-10 s. */
function retryAfterMs(answer: Record<string, unknown> | undefined): number {
  const details = (answer?.error as { details?: { retryAfterSec?: unknown } } | undefined)?.details;
  const sec = typeof details?.retryAfterSec === 'number' ? details.retryAfterSec : 1;
  return Math.min(10_000, Math.max(100, sec * 1000));
}

export async function runLoad(client: HttpClient, w: Workload, options: LoadOptions): Promise<LoadResult> {
  const results: Array<OpResult | undefined> = new Array(w.ops.length).fill(undefined);
  const acked: Array<Promise<void>> = [];
  const resolveAck: Array<() => void> = [];
  for (let i = 0; i < w.ops.length; i++) acked.push(new Promise<void>((r) => (resolveAck[i] = r)));
  const latencies: number[] = [];
  const failures: LoadResult['failures'] = [];
  let retriedErrors = 0;
  let rateLimited = 0;
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
    let lastError = '';
    let rateLimitedWaits = 0;
    for (let attempt = 1; ; attempt++) {
      if (options.signal?.stopped) {
        failures.push({ op: op.index, reason: `${op.kind} ${op.submissionId}: stopped unacknowledged after ${attempt - 1} attempts${lastError ? `, last: ${lastError}` : ''}` });
        return;
      }
      const sentAt = performance.now();
      let status = 0;
      let answer: Record<string, unknown> | undefined;
      let error = '';
      try {
        const r = await client.request('POST', '/api/v1/reports', body, 120_000, options.headersFor?.(op) ?? client.headers);
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
      lastError = error;
      if (status === 429 && rateLimitedWaits < MAX_RATE_LIMITED_WAITS) {
        // the platform protecting itself, not failing: wait as told (a real client does) without using up an attempt
        rateLimitedWaits++;
        rateLimited++;
        retriedErrors++;
        attempt--;
        await sleep(retryAfterMs(answer));
        continue;
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

  const lane = options.grpc;
  const httpList = lane ? w.ops.filter((op) => !lane.useGrpc(op)) : w.ops;
  const grpcList = lane ? w.ops.filter((op) => lane.useGrpc(op)) : [];
  const grpcBatchLatencies: number[] = [];
  const grpcBatchSizes: number[] = [];

  const worker = async () => {
    while (next < httpList.length && !options.signal?.stopped) {
      const op = httpList[next++]!;
      await sendOne(op);
    }
  };

  // the gRPC lane: each stream takes the next due ops (up to batchSize) in arrival order and sends them in one
  // SubmitStream call; an amendment or retry ends the batch before it when what it depends on is in it, and a
  // batch is sent only once every submission its ops depend on is acknowledged
  let nextGrpc = 0;
  const streamWorker = async (submitter: StreamSubmitter, batchSize: number) => {
    while (nextGrpc < grpcList.length && !options.signal?.stopped) {
      const first = grpcList[nextGrpc++]!;
      if (options.windowMs > 0) {
        const wait = startedAt + first.at * options.windowMs - performance.now();
        if (wait > 0) await sleep(wait);
      }
      const batch = [first];
      const inBatch = new Set([first.index]);
      while (batch.length < batchSize && nextGrpc < grpcList.length) {
        const op = grpcList[nextGrpc]!;
        if (options.windowMs > 0 && startedAt + op.at * options.windowMs > performance.now()) break;
        // never in the same stream as what it depends on: if that one failed, this one must not go first
        if (op.after !== undefined && inBatch.has(op.after)) break;
        batch.push(op);
        inBatch.add(op.index);
        nextGrpc++;
      }
      await Promise.all(batch.filter((op) => op.after !== undefined).map((op) => acked[op.after!]));
      let pending = batch;
      let backoff = 50;
      let lastError = '';
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (options.signal?.stopped) {
          for (const op of pending) failures.push({ op: op.index, reason: `${op.kind} ${op.submissionId} (gRPC): stopped unacknowledged after ${attempt - 1} attempts${lastError ? `, last: ${lastError}` : ''}` });
          return;
        }
        const sentAt = performance.now();
        let answers: Awaited<ReturnType<StreamSubmitter['submit']>> | undefined;
        let error = '';
        try {
          answers = await submitter.submit(pending);
          const ms = performance.now() - sentAt;
          grpcBatchLatencies.push(ms);
          grpcBatchSizes.push(pending.length);
        } catch (e) {
          error = e instanceof Error ? `${(e as { code?: string }).code ?? ''} ${e.message}`.trim() : String(e);
        }
        const again: Op[] = [];
        const ackAt = performance.now();
        pending.forEach((op, i) => {
          const a = answers?.[i];
          if (a?.ok) {
            const result: OpResult = { sentAt, ackAt, latencyMs: ackAt - sentAt, position: a.position, version: a.version, duplicate: op.kind === 'retry', attempts: attempt };
            results[op.index] = result;
            options.onAck?.(op, result);
            resolveAck[op.index]!();
            return;
          }
          const retryable = !answers || RETRYABLE_CODES.has(a?.code ?? '');
          const reason = answers ? `${a?.code}: ${a?.message}` : error;
          lastError = reason;
          if (!retryable || (!options.retryForever && attempt >= maxAttempts)) {
            failures.push({ op: op.index, reason: `${op.kind} ${op.submissionId} (gRPC): ${reason}` });
            resolveAck[op.index]!();
          } else again.push(op);
        });
        if (again.length > 0) {
          retriedErrors += again.length;
          await sleep(backoff);
          backoff = Math.min(1_000, backoff * 2);
        }
        pending = again;
      }
    }
  };
  await Promise.all([
    ...(httpList.length > 0 ? Array.from({ length: Math.max(1, options.concurrency) }, worker) : []),
    ...(lane && grpcList.length > 0 ? Array.from({ length: Math.max(1, lane.streams) }, () => streamWorker(lane.submitter, Math.max(1, lane.batchSize))) : []),
  ]);
  return { results, startedAt, endedAt: performance.now(), latencies, retriedErrors, rateLimited, failures, httpOps: httpList.length, grpcOps: grpcList.length, grpcBatchLatencies, grpcBatchSizes };
}
