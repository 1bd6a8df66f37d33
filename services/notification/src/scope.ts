import { TallyError, type HierarchyQuery } from '@tally/contracts';
import type { FastifyRequest } from 'fastify';

/** The caller's unit (national when authentication is off) and account name. */
export function callerOf(request: FastifyRequest): { orgUnit: string; username: string | null } {
  const actor = request.tallyActor;
  return { orgUnit: actor?.orgUnit ?? 'VN', username: actor && actor.id !== 'anonymous' ? actor.id : null };
}

/** Whether `unit` is `ancestor` or below it in hierarchy `version` (VN contains everything). */
export async function within(hierarchy: HierarchyQuery, version: string, unit: string, ancestor: string): Promise<boolean> {
  if (ancestor === 'VN' || unit === ancestor) return true;
  return (await hierarchy.path(version, unit).catch(() => [] as string[])).includes(ancestor);
}

export async function requireWithin(hierarchy: HierarchyQuery, version: string, unit: string, ancestor: string): Promise<void> {
  if (!(await within(hierarchy, version, unit, ancestor))) throw new TallyError('FORBIDDEN', `${unit} is outside your org unit ${ancestor}`);
}

/** A route hook: an absent `orgUnit` (query or body) means the caller's own unit. */
export const defaultOrgUnit =
  (from: 'query' | 'body') =>
  async (request: FastifyRequest): Promise<void> => {
    // runs before validation: the query or body is whatever arrived (the schema checks it next)
    const target: unknown = from === 'query' ? request.query : request.body;
    const orgUnit = request.tallyActor?.orgUnit;
    if (target && typeof target === 'object' && Reflect.get(target, 'orgUnit') === undefined && orgUnit) Object.assign(target, { orgUnit });
  };
