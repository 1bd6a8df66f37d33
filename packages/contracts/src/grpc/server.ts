import * as grpc from '@grpc/grpc-js';
import { grpcErrorFrom } from './errors';
import { inServerSpan } from './tracing';
import type { Actor } from '../envelope';

/** One service to serve: a generated `XxxServiceService` definition and its implementation. */
export interface GrpcRegistration<Impl extends grpc.UntypedServiceImplementation = grpc.UntypedServiceImplementation> {
  service: grpc.ServiceDefinition<Impl>;
  implementation: Impl;
}

/** Builds a type-checked registration: the implementation must match the definition's methods. */
export function grpcService<Impl extends grpc.UntypedServiceImplementation>(
  service: grpc.ServiceDefinition<Impl>,
  implementation: Impl,
): GrpcRegistration {
  return { service, implementation } as unknown as GrpcRegistration;
}

export interface GrpcServerOptions {
  /** server channel options, e.g. { 'grpc.max_receive_message_length': 16 << 20 } */
  channelOptions?: grpc.ServerOptions;
  /** default: insecure (TLS is terminated by the mesh / ingress) */
  credentials?: grpc.ServerCredentials;
  /** how long stop() waits for in-flight calls before cancelling them; default 5000 ms */
  shutdownTimeoutMs?: number;
}

export interface RunningGrpcServer {
  /** the bound port (the actual one when bound to port 0) */
  port: number;
  server: grpc.Server;
  /** graceful: refuses new calls, waits for in-flight ones up to the timeout, then cancels them */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Starts a gRPC server on `bindAddress` (e.g. '0.0.0.0:9090', '127.0.0.1:0') serving the given services.
 * grpc-js starts serving once bound (Server.start() is deprecated).
 */
export async function startGrpcServer(
  bindAddress: string,
  registrations: ReadonlyArray<GrpcRegistration>,
  options: GrpcServerOptions = {},
): Promise<RunningGrpcServer> {
  const server = new grpc.Server(options.channelOptions);
  for (const { service, implementation } of registrations) server.addService(service, implementation);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(bindAddress, options.credentials ?? grpc.ServerCredentials.createInsecure(), (err, boundPort) =>
      err ? reject(err) : resolve(boundPort),
    );
  });
  let stopping: Promise<void> | undefined;
  const stop = (timeoutMs = options.shutdownTimeoutMs ?? 5000): Promise<void> => {
    stopping ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, timeoutMs);
      timer.unref();
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return stopping;
  };
  return { port, server, stop };
}

/**
 * Adapts an async function to a grpc-js unary handler; a thrown error is mapped by grpcErrorFrom.
 *   getUnit: unaryHandler(async (req) => ({ unit, hierarchy }))
 */
export function unaryHandler<Req, Res>(
  fn: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res> | Res,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    inServerSpan(call.getPath(), call.metadata, async () => fn(call.request, call))
      .then(
        (res) => callback(null, res),
        (err: unknown) => callback(grpcErrorFrom(err)),
      );
  };
}

/**
 * Adapts an async function over the request stream to a grpc-js client-streaming handler.
 *   submitStream: clientStreamHandler(async (requests) => { for await (const r of requests) ... })
 */
export function clientStreamHandler<Req, Res>(
  fn: (requests: AsyncIterable<Req>, call: grpc.ServerReadableStream<Req, Res>) => Promise<Res> | Res,
): grpc.handleClientStreamingCall<Req, Res> {
  return (call, callback) => {
    inServerSpan(call.getPath(), call.metadata, async () => fn(call as AsyncIterable<Req>, call))
      .then(
        (res) => callback(null, res),
        (err: unknown) => callback(grpcErrorFrom(err)),
      );
  };
}

/**
 * Per-call facts set by an interceptor (the access check in @tally/auth) for the handler to use: who is
 * calling (recorded as the actor of the events the call appends).
 */
const callers = new WeakMap<object, Actor>();

export function setGrpcCaller(call: object, actor: Actor): void {
  callers.set(call, actor);
}

/** The authenticated caller of a call, when an interceptor set one (absent when access control is off). */
export function grpcCaller(call: object): Actor | undefined {
  return callers.get(call);
}

/**
 * A client-streaming message refused by an interceptor (e.g. a report for a unit outside the caller's
 * subtree): the handler receives this empty placeholder instead of the message, so it cannot act on it, and
 * answers that message with the error (`refusalOf`), the others being processed as usual.
 */
const refusals = new WeakMap<object, Error>();

export function refusedMessage<T>(error: Error): T {
  const placeholder = {};
  refusals.set(placeholder, error);
  return placeholder as T;
}

/** The error a streamed message was refused with, or undefined for a message to process. */
export function refusalOf(message: unknown): Error | undefined {
  return typeof message === 'object' && message !== null ? refusals.get(message) : undefined;
}
