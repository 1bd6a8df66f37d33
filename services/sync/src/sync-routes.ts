import { TallyError, type HierarchyQuery, type StoredEvent } from '@tally/contracts';
import { isDownstreamOwned, isReportEvent } from '@tally/core';
import type { EventStore } from '@tally/eventstore';
import { DigitsParam, PositionParam, Strict, Type, parseStoredEvent, type TypeBoxTypeProvider } from '@tally/runtime';
import type { FastifyPluginAsync } from 'fastify';
import { mirrorEvent } from './mirror-event';
import type { SyncAgent } from './sync-agent';

export const MAX_PUSH_EVENTS = 1000;
/** How many of its own log entries the upstream reads for one pull (most are reports, which do not flow down). */
const PULL_SCAN = 5000;

const PullQuery = Strict({ after: Type.Optional(PositionParam), limit: Type.Optional(DigitsParam(4)) });
/** each event is checked whole by parseStoredEvent (its message names the field), so the schema only bounds the batch */
const PushBody = Type.Object({ events: Type.Array(Type.Unknown(), { maxItems: MAX_PUSH_EVENTS }) });

/**
 * The upstream side (any deployment): a downstream's sync account pulls what flows down and pushes its reports,
 * each checked against the account's subtree. The local side: the link's status.
 */
export function syncRoutes(deps: { store: EventStore; hierarchy: HierarchyQuery; nudgeRelay: () => void; agent: () => SyncAgent | null; upstreamUrl: string | null }): FastifyPluginAsync {
  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/sync/events',
      { schema: { querystring: PullQuery } },
      async (request) => {
        const q = request.query;
        const after = Number(q.after ?? 0);
        const limit = Math.min(Math.max(Number(q.limit ?? 500), 1), 1000);
        const scope = request.tallyActor?.orgUnit ?? 'VN';
        const head = await deps.store.headPosition();
        const events: StoredEvent[] = [];
        let next = after;
        const read = await deps.store.readAll(after, PULL_SCAN);
        for (const e of read) {
          if (events.length >= limit) break;
          next = e.position;
          if (isDownstreamOwned(e.type) && (await inSubtreeOrShared(e, scope, deps.hierarchy))) events.push(e);
        }
        return { events, next, head };
      },
    );

    app.post('/sync/events', { schema: { body: PushBody } }, async (request) => {
      const scope = request.tallyActor?.orgUnit ?? 'VN';
      const events = request.body.events.map((raw, i) => {
        try {
          return parseStoredEvent(raw);
        } catch (err) {
          throw new TallyError('INVALID_REQUEST', `events[${i}]: ${(err as Error).message}`);
        }
      });
      // checked whole before any is applied: a batch with one event outside the subtree is refused, not half-applied
      for (const [i, e] of events.entries()) {
        if (!isReportEvent(e.type)) throw new TallyError('INVALID_REQUEST', `events[${i}]: only report events flow upstream, not ${e.type}`);
        const data = e.data as { orgUnit?: unknown; hierarchy?: unknown };
        const unit = typeof data.orgUnit === 'string' ? data.orgUnit : '';
        const version = typeof data.hierarchy === 'string' ? data.hierarchy : await deps.hierarchy.versionFor(new Date().toISOString().slice(0, 10));
        const path = await deps.hierarchy.path(version, unit).catch(() => [] as string[]);
        if (scope !== 'VN' && !path.includes(scope)) throw new TallyError('FORBIDDEN', `events[${i}]: ${unit || '?'} is outside this link's subtree ${scope}`);
      }
      let appended = 0;
      let duplicates = 0;
      try {
        for (const e of events) {
          if ((await mirrorEvent(deps.store, e)) === 'appended') appended += 1;
          else duplicates += 1;
        }
      } finally {
        if (appended > 0) deps.nudgeRelay();
      }
      return { appended, duplicates };
    });

    app.get('/sync/status', async () => {
      const agent = deps.agent();
      if (!agent) return { linked: false, upstream: null };
      return { linked: true, upstream: deps.upstreamUrl, ...(await agent.statusNow()) };
    });
  };
}

/** Catalog versions and hierarchy changes are everyone's; a target flows to the deployment of its unit's subtree. */
async function inSubtreeOrShared(e: StoredEvent, scope: string, hierarchy: HierarchyQuery): Promise<boolean> {
  if (e.type !== 'tally.target.set' || scope === 'VN') return true;
  const unit = (e.data as { orgUnit?: unknown }).orgUnit;
  if (typeof unit !== 'string') return false;
  for (const v of await hierarchy.versions()) {
    if ((await hierarchy.path(v.id, unit).catch(() => [] as string[])).includes(scope)) return true;
  }
  return false;
}
