import { TallyError, type GrpcCallOptions, type GrpcMetadataProvider } from '@tally/contracts';

/**
 * A peer that restarts is briefly unreachable: calls wait for it (bounded) instead of failing the
 * request that needed it. Only UNAVAILABLE is retried; every other answer is final.
 */
export async function retryUnavailable<T>(call: () => Promise<T>, budgetMs = 20_000): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1_000)) {
    try {
      return await call();
    } catch (err) {
      const unavailable = err instanceof TallyError && err.code === 'UNAVAILABLE';
      if (!unavailable || Date.now() + delay > deadline) throw err;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Options of the remote clients. */
export interface RemoteClientOptions {
  /** metadata of every call: the calling service's credentials (`authorization: Bearer <service token>`) */
  metadata?: GrpcMetadataProvider;
}

/** The same call, with the client's metadata (built afresh for each attempt), retried while its peer is unavailable. */
export const retrying =
  <Req, Res>(call: (request: Req, options?: GrpcCallOptions) => Promise<Res>, remote: RemoteClientOptions = {}) =>
  (request: Req): Promise<Res> =>
    retryUnavailable(() => call(request, remote.metadata ? { metadata: remote.metadata() } : undefined));
