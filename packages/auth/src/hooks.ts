import { TallyError, type HierarchyQuery } from '@tally/contracts';
import { parsePeriod, parseReportStreamId } from '@tally/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService, Principal } from './auth-service';
import { policyFor, type Target } from './policy';
import { NATIONAL, can } from './roles';
import { bearerOf } from './tokens';
import { unitScope, type ScopeVerdict } from './unit-scope';

declare module 'fastify' {
  interface FastifyRequest {
    /** the authenticated caller (set by the auth hook; absent on public routes and when auth is off) */
    tallyPrincipal?: Principal;
  }
}

export interface RouteRecord {
  method: string;
  url: string;
}

/** Records every route registered after it is installed (for the policy-coverage check). */
export function collectRoutes(app: FastifyInstance): RouteRecord[] {
  const routes: RouteRecord[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) if (method !== 'HEAD' && method !== 'OPTIONS') routes.push({ method, url: route.url });
  });
  return routes;
}

/** Routes that are registered but have no access policy: refused at runtime; the coverage test lists them. */
export function uncovered(routes: RouteRecord[]): RouteRecord[] {
  return routes.filter((r) => policyFor(r.method, r.url) === undefined);
}

/**
 * Authentication (onRequest: before the body is read) and authorization (preHandler: after the request was
 * validated against the route's schema, so the fields naming the target unit are well-formed).
 */
export function installAuthHooks(app: FastifyInstance, auth: AuthService, hierarchy: HierarchyQuery): void {
  app.addHook('onRequest', async (request, reply) => {
    const url = request.routeOptions.url;
    const access = url === undefined ? undefined : policyFor(request.method, url);
    const token = bearerOf(request.headers.authorization);
    const principal = token ? await auth.authenticate(token) : null;
    if (principal) {
      request.tallyPrincipal = principal;
      request.tallyActor = { id: principal.username, role: principal.role, orgUnit: principal.orgUnit };
    }
    // the platform's own in-process loader is not a client: its requests are not rate limited
    if (!principal || !auth.isInternal(principal)) throttle(auth, principal ? `account:${principal.username}` : `ip:${request.ip}`);
    if (url === undefined) return; // no such route: the not-found handler answers
    if (access?.public) return;
    if (!principal) {
      void reply.header('www-authenticate', 'Bearer');
      throw new TallyError('UNAUTHENTICATED', token ? 'the token is invalid, expired or revoked; sign in again' : 'sign in: send Authorization: Bearer <token>');
    }
    if (!access) throw new TallyError('FORBIDDEN', `no access policy covers ${request.method} ${url}; refused`);
    if (!can(principal.role, access.permission)) {
      throw new TallyError('FORBIDDEN', `the role ${principal.role} may not ${access.permission.replace('.', ' ')}`);
    }
  });

  app.addHook('preHandler', async (request) => {
    const url = request.routeOptions.url;
    const principal = request.tallyPrincipal;
    if (url === undefined || !principal) return;
    const access = policyFor(request.method, url);
    if (!access || access.public) return;
    const verdict = principal.orgUnit === NATIONAL ? { ok: true as const, unitHierarchy: undefined } : await scopeOf(principal, await targetOf(access.target, request, hierarchy), hierarchy);
    if (!verdict.ok) throw new TallyError('FORBIDDEN', verdict.reason);
    // the audit says which map the account's unit was read in, and the target's map when the check crossed maps
    if (verdict.unitHierarchy !== undefined && request.tallyActor) {
      request.tallyActor = {
        ...request.tallyActor,
        unitHierarchy: verdict.unitHierarchy,
        ...(verdict.checkedIn !== verdict.unitHierarchy ? { checkedIn: verdict.checkedIn } : {}),
      };
    }
  });
}

function throttle(auth: AuthService, key: string): void {
  const wait = auth.requests.take(key);
  if (wait > 0) throw new TallyError('RATE_LIMITED', `too many requests; retry in ${wait} s`, { retryAfterSec: wait });
}


/** A resolved target: the permission suffices, national callers only, or a unit in a hierarchy version. */
export type Resolved = 'any' | 'national' | { unit: string; hierarchy: string };

/** true, or why not: the caller's unit must be the target unit or one of its ancestors (VN contains everything). */
export async function targetInScope(principal: Principal, target: Resolved, hierarchy: HierarchyQuery): Promise<true | string> {
  const verdict = await scopeOf(principal, target, hierarchy);
  return verdict.ok ? true : verdict.reason;
}

/**
 * The subtree check with the maps it used: the account's unit is a unit of one map version; a target on another
 * map is carried onto it through the old-to-new mapping, never matched by its code (see unit-scope.ts).
 */
export async function scopeOf(principal: Principal, target: Resolved, hierarchy: HierarchyQuery): Promise<ScopeVerdict | { ok: true; unitHierarchy?: undefined }> {
  if (principal.orgUnit === NATIONAL || target === 'any') return { ok: true };
  if (target === 'national') return { ok: false, reason: `only national accounts may do this; yours is on ${principal.orgUnit}` };
  return unitScope(hierarchy, principal.orgUnit, target);
}

async function targetOf(target: Target, request: FastifyRequest, hierarchy: HierarchyQuery): Promise<Resolved> {
  switch (target.kind) {
    case 'any':
      return 'any';
    case 'national':
      return 'national';
    case 'unit': {
      const source = fieldsOf(request, target.from);
      const unit = source[target.field];
      if (unit === undefined && target.optional) return 'national';
      if (typeof unit !== 'string') return { unit: '?', hierarchy: '?' };
      const explicit = target.hierarchy ? source[target.hierarchy] : undefined;
      if (typeof explicit === 'string') return { unit, hierarchy: explicit };
      const period = target.period ? source[target.period] : undefined;
      return { unit, hierarchy: await hierarchyFor(hierarchy, typeof period === 'string' ? period : undefined) };
    }
    case 'report': {
      const id = fieldsOf(request, target.from)[target.field];
      const key = typeof id === 'string' ? parseReportStreamId(id) : null;
      if (!key) return { unit: '?', hierarchy: '?' };
      return { unit: key.orgUnit, hierarchy: await hierarchyFor(hierarchy, key.period) };
    }
  }
}

function fieldsOf(request: FastifyRequest, from: 'params' | 'query' | 'body'): Record<string, unknown> {
  const v = from === 'params' ? request.params : from === 'query' ? request.query : request.body;
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** The hierarchy version of a period (in force on its last day), else the one in force today. */
export async function hierarchyFor(hierarchy: HierarchyQuery, period: string | undefined): Promise<string> {
  const p = period ? parsePeriod(period) : null;
  const date = p?.endDate ?? new Date().toISOString().slice(0, 10);
  try {
    return await hierarchy.versionFor(date);
  } catch {
    return await hierarchy.versionFor(new Date().toISOString().slice(0, 10));
  }
}

/**
 * Hostile-input guards for every route, with or without auth: operator keys ('$...') anywhere in a body or query
 * are refused (they would be query operators in MongoDB), as are documents nested deeper than 32 levels.
 */
export function installInputGuards(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    for (const [where, value] of [['body', request.body], ['query', request.query]] as const) {
      const problem = hostile(value, 0);
      if (problem) throw new TallyError('INVALID_REQUEST', `the request ${where} is refused: ${problem}`);
    }
  });
}

const MAX_DEPTH = 32;

function hostile(value: unknown, depth: number): string | null {
  if (value === null || typeof value !== 'object') return null;
  if (depth > MAX_DEPTH) return `nested deeper than ${MAX_DEPTH} levels`;
  if (Array.isArray(value)) {
    for (const v of value) {
      const p = hostile(v, depth + 1);
      if (p) return p;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k.startsWith('$')) return `the key "${k.slice(0, 40)}" looks like a query operator`;
    const p = hostile(v, depth + 1);
    if (p) return p;
  }
  return null;
}
