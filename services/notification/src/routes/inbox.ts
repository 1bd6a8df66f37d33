import { TallyError } from '@tally/contracts';
import { DEFAULT_PREFERENCES, prefsStreamId } from '@tally/core';
import { BooleanParam, DigitsParam, OneOf, OrNull, OrgUnitCode, Strict, Type, eventContextOf, type TypeBoxTypeProvider } from '@tally/runtime';
import type { FastifyPluginAsync } from 'fastify';
import { markRead, markReadUpTo, setPreferences } from '../commands';
import { wants } from '../fan-out';
import { MESSAGE_KINDS } from '../messages';
import { readMarkId } from '../projections';
import { callerOf, defaultOrgUnit, requireWithin } from '../scope';
import type { Channel, InboxDoc } from '../stores';
import { currentHierarchyVersion, projectStreamNow, type RouteDeps } from './deps';

const INBOX_WINDOW = 5000;
/** `offset`: how many of the (filtered) messages to skip, newest first: the next page starts at the messages already listed */
const InboxQuery = Strict({ orgUnit: Type.Optional(OrgUnitCode), unread: Type.Optional(BooleanParam), limit: Type.Optional(DigitsParam(4)), offset: Type.Optional(DigitsParam(4)) });
const MessageParams = Strict({ id: Type.String({ minLength: 1, maxLength: 200 }) });
/** `upTo`: an ISO 8601 instant; without it, the unit's newest message */
const ReadAllBody = OrNull(Strict({ orgUnit: Type.Optional(OrgUnitCode), upTo: Type.Optional(Type.String({ minLength: 10, maxLength: 40 })) }));
/** per message kind ('*' for every kind), the channels wanted: {"*": ["inbox", "email"]} */
const Channels = Type.Unsafe<Record<string, Channel[]>>({
  type: 'object',
  maxProperties: 64,
  propertyNames: { enum: ['*', ...MESSAGE_KINDS] },
  additionalProperties: { type: 'array', maxItems: 2, uniqueItems: true, items: { type: 'string', enum: ['inbox', 'email'] } },
});
const PreferencesBody = Strict({ channels: Type.Optional(Channels), digest: Type.Optional(Type.Boolean()), language: Type.Optional(OneOf(['vi', 'en'])) });

/** The inbox: messages, marking one read, and the reader's preferences (under /api/v1). */
export function inboxRoutes(deps: RouteDeps): FastifyPluginAsync {
  const { stores, hierarchy } = deps;
  const currentVersion = currentHierarchyVersion(deps);

  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/inbox',
      {
        preValidation: defaultOrgUnit('query'),
        schema: { querystring: InboxQuery },
      },
      async (request) => {
        const q = request.query;
        if (!q.orgUnit) throw new TallyError('INVALID_REQUEST', 'orgUnit is required when not signed in');
        const reader = callerOf(request).username ?? 'anonymous';
        const prefs = (await stores.preferences.get(reader)) ?? undefined;
        const language = prefs?.language ?? 'vi';
        // the latest INBOX_WINDOW messages: what the list and the unread count are taken from
        const rows = (await stores.inbox.find({ recipient: q.orgUnit }, { sort: { time: -1 }, limit: INBOX_WINDOW })).filter((m) => wants(prefs, m.kind, 'inbox'));
        const reads = new Set((await stores.reads.getMany(rows.map((m) => `${m._id}|${reader}`))).map((r) => r._id));
        const upTo = (await stores.readMarks.get(readMarkId(q.orgUnit, reader)))?.upTo ?? '';
        const all = rows.map((m) => view(m, language, m.time <= upTo || reads.has(`${m._id}|${reader}`)));
        const unread = all.filter((m) => !m.read).length;
        const shown = q.unread === 'true' ? all.filter((m) => !m.read) : q.unread === 'false' ? all.filter((m) => m.read) : all;
        const offset = Number(q.offset ?? 0);
        // total: how many there are to page through (of the window, after the unread filter)
        return { orgUnit: q.orgUnit, messages: shown.slice(offset, offset + Math.min(Number(q.limit ?? 100), 1000)), unread, total: shown.length };
      },
    );

    app.post('/inbox/:id/read', { schema: { params: MessageParams } }, async (request) => {
      const { id } = request.params;
      const message = await stores.inbox.get(id);
      if (!message) throw new TallyError('NOT_FOUND', `no message ${id}`);
      const caller = callerOf(request);
      await requireWithin(hierarchy, await currentVersion(), message.recipient, caller.orgUnit);
      const username = caller.username ?? 'anonymous';
      const key = `${id}|${username}`;
      if (!(await stores.reads.get(key))) {
        // the event is the record (a rebuild replays it); the read model is written at once for the next GET
        const read = await markRead(deps.store, username, id, eventContextOf(request));
        if (read) {
          deps.nudgeRelay();
          await stores.reads.update(key, { setOnInsert: read });
        }
      }
      return { id, read: true };
    });

    // every message of a unit read at once, up to an instant: one event (a province gets a message per commune)
    app.post(
      '/inbox/read-all',
      {
        preValidation: defaultOrgUnit('body'),
        schema: { body: ReadAllBody },
      },
      async (request) => {
        const caller = callerOf(request);
        const orgUnit = request.body?.orgUnit ?? caller.orgUnit;
        if (!orgUnit) throw new TallyError('INVALID_REQUEST', 'orgUnit is required when not signed in');
        await requireWithin(hierarchy, await currentVersion(), orgUnit, caller.orgUnit);
        const given = request.body?.upTo;
        const ms = given === undefined ? NaN : Date.parse(given);
        if (given !== undefined && Number.isNaN(ms)) throw new TallyError('INVALID_REQUEST', `upTo must be an ISO 8601 instant, e.g. 2026-12-02T10:00:00Z; got ${JSON.stringify(given)}`);
        // never past now: messages yet to come stay unread
        const upTo = given !== undefined ? new Date(Math.min(ms, deps.clock().getTime())).toISOString() : (await stores.inbox.find({ recipient: orgUnit }, { sort: { time: -1 }, limit: 1 }))[0]?.time;
        if (upTo === undefined) return { orgUnit, upTo: null, read: true }; // no message yet: nothing to read
        const username = caller.username ?? 'anonymous';
        const marked = await markReadUpTo(deps.store, { username, orgUnit, upTo }, eventContextOf(request));
        if (marked) {
          deps.nudgeRelay();
          // the event is the record; the read model is written at once for the next GET (as for one message)
          await stores.readMarks.update(readMarkId(orgUnit, username), { set: { upTo, position: marked.position } }, { field: 'position', below: marked.position });
        }
        return { orgUnit, upTo, read: true };
      },
    );

    app.get('/inbox/preferences', async (request) => {
      const username = callerOf(request).username;
      if (!username) throw new TallyError('INVALID_REQUEST', 'preferences belong to an account: sign in');
      const p = await stores.preferences.get(username);
      return { username, channels: p?.channels ?? DEFAULT_PREFERENCES.channels, digest: p?.digest ?? DEFAULT_PREFERENCES.digest, language: p?.language ?? DEFAULT_PREFERENCES.language };
    });

    app.put(
      '/inbox/preferences',
      { schema: { body: PreferencesBody } },
      async (request) => {
        const username = callerOf(request).username;
        if (!username) throw new TallyError('INVALID_REQUEST', 'preferences belong to an account: sign in');
        const { data, position } = await setPreferences(deps.store, { username, ...request.body }, eventContextOf(request));
        deps.nudgeRelay();
        await projectStreamNow(deps, prefsStreamId(username));
        const { username: _u, ...rest } = data;
        return { username, ...rest, position };
      },
    );
  };
}

function view(m: InboxDoc, language: 'vi' | 'en', read: boolean) {
  const text = language === 'en' && m.en ? m.en : { title: m.title, body: m.body };
  return {
    id: m._id,
    kind: m.kind,
    title: text.title,
    body: text.body,
    orgUnit: m.recipient,
    ...(m.template ? { template: m.template } : {}),
    ...(m.period ? { period: m.period } : {}),
    ...(m.taskId ? { taskId: m.taskId } : {}),
    ...(m.reportId ? { reportId: m.reportId } : {}),
    createdAt: m.time,
    read,
  };
}
