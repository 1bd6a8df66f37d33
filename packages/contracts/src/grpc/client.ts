import * as grpc from '@grpc/grpc-js';
import { tallyErrorFromGrpc } from './errors';
import { inClientSpan } from './tracing';

/** Per-call options of the promisified helpers. */
export interface GrpcCallOptions {
  metadata?: grpc.Metadata;
  /** absolute deadline, or milliseconds from now */
  deadline?: Date | number;
  signal?: AbortSignal;
}

type Callback<Res> = (error: grpc.ServiceError | null, response: Res) => void;
/** The 4-argument overload every generated unary client method has. */
export type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: Callback<Res>,
) => grpc.ClientUnaryCall;
/** The 3-argument overload every generated client-streaming client method has. */
export type ClientStreamMethod<Req, Res> = (
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: Callback<Res>,
) => grpc.ClientWritableStream<Req>;

const callOptionsOf = (options: GrpcCallOptions | undefined): Partial<grpc.CallOptions> => {
  const d = options?.deadline;
  return d === undefined ? {} : { deadline: typeof d === 'number' ? Date.now() + d : d };
};

function withAbort(call: grpc.Call, signal: AbortSignal | undefined): () => void {
  if (!signal) return () => undefined;
  const onAbort = (): void => call.cancel();
  if (signal.aborted) call.cancel();
  else signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

/**
 * Wraps a generated unary client method as `(request, options?) => Promise<response>`; a failed call
 * rejects with a TallyError (see tallyErrorFromGrpc).
 *   const getUnit = promisifyUnary(client, client.getUnit);
 *   const { unit } = await getUnit({ hierarchy: '2025', code: '01' });
 */
export function promisifyUnary<Req, Res>(
  client: grpc.Client,
  method: UnaryMethod<Req, Res>,
): (request: Req, options?: GrpcCallOptions) => Promise<Res> {
  return (request, options) => {
    const metadata = options?.metadata ?? new grpc.Metadata();
    return inClientSpan(methodPath(method), metadata, () =>
      new Promise<Res>((resolve, reject) => {
        let detach = (): void => undefined;
        const call = method.call(client, request, metadata, callOptionsOf(options), (err, res) => {
          detach();
          if (err) reject(tallyErrorFromGrpc(err));
          else resolve(res);
        });
        detach = withAbort(call, options?.signal);
      }),
    );
  };
}

/**
 * Wraps a generated client-streaming method as `(requests, options?) => Promise<response>`: writes
 * every request (respecting back-pressure), ends the stream, and resolves with the single response.
 *   const submitStream = promisifyClientStream(client, client.submitStream);
 *   const summary = await submitStream(reports.map((report) => ({ report })));
 */
export function promisifyClientStream<Req, Res>(
  client: grpc.Client,
  method: ClientStreamMethod<Req, Res>,
): (requests: Iterable<Req> | AsyncIterable<Req>, options?: GrpcCallOptions) => Promise<Res> {
  return (requests, options) => {
    const metadata = options?.metadata ?? new grpc.Metadata();
    return inClientSpan(methodPath(method), metadata, () => streamAll(client, method, metadata, requests, options));
  };
}

function streamAll<Req, Res>(
  client: grpc.Client,
  method: ClientStreamMethod<Req, Res>,
  metadata: grpc.Metadata,
  requests: Iterable<Req> | AsyncIterable<Req>,
  options: GrpcCallOptions | undefined,
): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    let done = false;
    let detach = (): void => undefined;
    const call = method.call(client, metadata, callOptionsOf(options), (err, res) => {
      done = true;
      detach();
      if (err) reject(tallyErrorFromGrpc(err));
      else resolve(res);
    });
    detach = withAbort(call, options?.signal);
    void (async () => {
      try {
        for await (const request of requests) {
          if (done) return;
          if (!call.write(request)) await new Promise<void>((r) => call.once('drain', () => r()));
        }
        call.end();
      } catch (err) {
        // a failing request source cancels the call; the callback then rejects with CANCELLED
        call.cancel();
        if (!done) {
          done = true;
          detach();
          reject(err);
        }
      }
    })();
  });
}

/** The method's full path ('/tally.v1.HierarchyService/GetUnit'): grpc-js puts it on each generated client method. */
function methodPath(method: object): string {
  const path = (method as { path?: unknown }).path;
  return typeof path === 'string' ? path : 'unknown';
}

/** Builds the metadata of each outgoing call (e.g. the caller's credentials); called once per call. */
export type GrpcMetadataProvider = () => grpc.Metadata;

/** `authorization: Bearer <token>` metadata, with the token asked for at each call (so it can be renewed). */
export function bearerMetadata(token: () => string): GrpcMetadataProvider {
  return () => {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${token()}`);
    return metadata;
  };
}
