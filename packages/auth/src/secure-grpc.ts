import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import {
  TallyError,
  bearerMetadata,
  grpcErrorFrom,
  refusedMessage,
  setGrpcCaller,
  type Actor,
  type GrpcMetadataProvider,
  type GrpcRegistration,
  type HierarchyQuery,
} from '@tally/contracts';
import type { Platform } from '@tally/runtime';
import type { Auth } from './auth';
import type { AuthService, Principal } from './auth-service';
import { grpcPolicyFor, type GrpcMethodPolicy, type GrpcTarget } from './grpc-policy';
import { hierarchyFor, scopeOf, targetInScope, type Resolved } from './hooks';
import { SERVICE_ROLE, can } from './roles';
import { loadAuthSettings } from './settings';
import { TokenSigner, bearerOf, loadTokenSecret, serviceTokens } from './tokens';

/**
 * Access control for gRPC: every call must carry `authorization: Bearer <token>` metadata (an account's token,
 * or a peer service's token) and passes the method's policy (grpc-policy.ts), the same rules as HTTP:
 * no or a bad token: UNAUTHENTICATED; a role without the permission, a unit outside the caller's subtree, or a
 * method without a policy: PERMISSION_DENIED (with the `tally-error-code` trailer). On a client stream, a
 * message for a unit outside the subtree is replaced by a refused placeholder (see refusalOf): the handler
 * answers it with FORBIDDEN and acts on the others. The authenticated caller is attached to the call
 * (grpcCaller) for the events it appends. With auth off (TALLY_AUTH=off) the registrations are unchanged.
 */
export function secureGrpc(registrations: readonly GrpcRegistration[], auth: Pick<Auth, 'service' | 'enforced' | 'hierarchy'>): GrpcRegistration[] {
  if (!auth.enforced) return [...registrations];
  return registrations.map(({ service, implementation }) => {
    const secured: grpc.UntypedServiceImplementation = {};
    for (const [name, method] of Object.entries(service)) {
      const handler = implementation[name];
      if (handler) secured[name] = guard(method, handler, auth.service, auth.hierarchy);
    }
    return { service, implementation: secured };
  });
}

type AnyHandler = grpc.UntypedHandleCall;
type Call = grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerReadableStream<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>;

function guard(method: grpc.MethodDefinition<unknown, unknown>, handler: AnyHandler, auth: AuthService, hierarchy: HierarchyQuery): AnyHandler {
  const policy = grpcPolicyFor(method.path);
  const check = async (call: Call, request: unknown): Promise<void> => {
    const { principal, scope } = await authorize(call.metadata, method.path, policy, request, auth, hierarchy);
    setGrpcCaller(call, actorOf(principal, call, scope));
    if (policy?.perMessage && method.requestStream) checkEachMessage(call as grpc.ServerReadableStream<unknown, unknown>, principal, policy.perMessage, hierarchy);
  };
  if (!method.requestStream && !method.responseStream) {
    const unary = handler as grpc.handleUnaryCall<unknown, unknown>;
    return ((call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      check(call, call.request).then(
        () => run(() => unary(call, callback), callback),
        (err: unknown) => callback(grpcErrorFrom(err)),
      );
    }) as AnyHandler;
  }
  if (method.requestStream && !method.responseStream) {
    const stream = handler as grpc.handleClientStreamingCall<unknown, unknown>;
    return ((call: grpc.ServerReadableStream<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      check(call, undefined).then(
        () => run(() => stream(call, callback), callback),
        (err: unknown) => callback(grpcErrorFrom(err)),
      );
    }) as AnyHandler;
  }
  // server-streaming and bidirectional methods (none yet): the error is emitted on the call
  const streaming = handler as (call: Call) => void;
  return ((call: grpc.ServerWritableStream<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>) => {
    check(call, 'request' in call ? call.request : undefined).then(
      () => streaming(call),
      (err: unknown) => call.emit('error', grpcErrorFrom(err)),
    );
  }) as AnyHandler;
}

function run(handle: () => void, callback: grpc.sendUnaryData<unknown>): void {
  try {
    handle();
  } catch (err) {
    callback(grpcErrorFrom(err));
  }
}

async function authorize(
  metadata: grpc.Metadata,
  path: string,
  policy: GrpcMethodPolicy | undefined,
  request: unknown,
  auth: AuthService,
  hierarchy: HierarchyQuery,
): Promise<{ principal: Principal; scope: ScopeMaps | undefined }> {
  const values = metadata.get('authorization');
  const token = values.length === 1 && typeof values[0] === 'string' ? bearerOf(values[0]) : undefined;
  const principal = token ? await auth.authenticate(token, { services: true }) : null;
  if (!principal) {
    throw new TallyError('UNAUTHENTICATED', token ? 'the token is invalid, expired or revoked; sign in again' : 'sign in: send authorization: Bearer <token> metadata');
  }
  if (principal.role !== SERVICE_ROLE) {
    const wait = auth.requests.take(`account:${principal.username}`);
    if (wait > 0) throw new TallyError('RATE_LIMITED', `too many requests; retry in ${wait} s`, { retryAfterSec: wait });
  }
  if (!policy) throw new TallyError('FORBIDDEN', `no access policy covers ${path}; refused`);
  if (!can(principal.role, policy.permission)) throw new TallyError('FORBIDDEN', `the role ${principal.role} may not ${policy.permission.replace('.', ' ')}`);
  let target: GrpcTarget;
  try {
    target = policy.target(request);
  } catch {
    target = { unit: '?' }; // a request the policy cannot read names no unit: only national callers pass
  }
  const verdict = await scopeOf(principal, await resolve(target, hierarchy), hierarchy);
  if (!verdict.ok) throw new TallyError('FORBIDDEN', verdict.reason);
  return { principal, scope: verdict.unitHierarchy === undefined ? undefined : { unitHierarchy: verdict.unitHierarchy, checkedIn: verdict.checkedIn } };
}

/** Which maps the subtree check used (recorded in the actor, as over HTTP). */
type ScopeMaps = { unitHierarchy: string; checkedIn: string };

async function resolve(target: GrpcTarget, hierarchy: HierarchyQuery): Promise<Resolved> {
  if (target === 'any' || target === 'national') return target;
  return { unit: target.unit || '?', hierarchy: target.hierarchy ?? (await hierarchyFor(hierarchy, target.period || undefined)) };
}

async function inScope(principal: Principal, target: GrpcTarget, hierarchy: HierarchyQuery): Promise<true | string> {
  return targetInScope(principal, await resolve(target, hierarchy), hierarchy);
}

/** Checks each message of a client stream as the handler reads it; a refused one reaches the handler as a placeholder. */
function checkEachMessage(call: grpc.ServerReadableStream<unknown, unknown>, principal: Principal, targetOf: (message: unknown) => GrpcTarget, hierarchy: HierarchyQuery): void {
  const source = call[Symbol.asyncIterator].bind(call);
  async function* checked(): AsyncGenerator<unknown, void, undefined> {
    for await (const message of source()) {
      let verdict: true | string;
      try {
        verdict = await inScope(principal, targetOf(message), hierarchy);
      } catch {
        verdict = 'the target unit could not be checked';
      }
      yield verdict === true ? message : refusedMessage(new TallyError('FORBIDDEN', verdict));
    }
  }
  Object.defineProperty(call, Symbol.asyncIterator, { value: checked, configurable: true, writable: true });
}

function actorOf(principal: Principal, call: Call, scope: ScopeMaps | undefined): Actor {
  const maps = scope ? { unitHierarchy: scope.unitHierarchy, ...(scope.checkedIn !== scope.unitHierarchy ? { checkedIn: scope.checkedIn } : {}) } : {};
  return { id: principal.username, role: principal.role, orgUnit: principal.orgUnit, origin: call.getPeer(), ...maps };
}

/**
 * The credentials a service process sends on its calls to its peers: a `service:<name>` token (role `service`:
 * national reads of reference data, rollups and reports) signed with the shared TALLY_TOKEN_SECRET (else the
 * secret kept in the data directory, as createAuth does), renewed before it expires.
 */
export function serviceCredentials(platform: Pick<Platform, 'config'>, name: string): { metadata: GrpcMetadataProvider } {
  const settings = loadAuthSettings();
  const signer = new TokenSigner(loadTokenSecret(settings.tokenSecret, join(platform.config.dataDir, 'token-secret')), settings.previousTokenSecrets);
  return { metadata: bearerMetadata(serviceTokens(signer, name)) };
}
