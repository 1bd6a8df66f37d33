import { randomUUID } from 'node:crypto';
import { TallyError, newEvent, type CatalogQuery, type HierarchyQuery } from '@tally/contracts';
import { decideTask, foldTask, isIsoDate, parsePeriod, taskStatus, taskStreamId, vietnamDateOf, type TaskAssignedData } from '@tally/core';
import type { EventStore } from '@tally/eventstore';
import { BooleanParam, DigitsParam, IsoDate, Level, OneOf, OrNull, OrgUnitCode, Strict, Type, Uuid, decideAndAppend, eventContextOf, type TypeBoxTypeProvider } from '@tally/runtime';
import type { FastifyPluginAsync } from 'fastify';
import { urlProblem } from './allow-list';
import type { Dispatcher } from './dispatcher';
import { wants } from './fan-out';
import { MESSAGE_KINDS } from './messages';
import { prefsStreamId, readsStreamId, receivedId, type PreferencesSetData, type WebhookRegisteredData } from './projections';
import { callerOf, defaultOrgUnit, requireWithin } from './scope';
import type { NotificationSettings } from './settings';
import type { Channel, InboxDoc, Stores } from './stores';
import { WEBHOOKS_STREAM, type WebhookRegistry } from './webhook-registry';

export interface RouteDeps {
  store: EventStore;
  stores: Stores;
  hierarchy: HierarchyQuery;
  catalog: CatalogQuery;
  settings: NotificationSettings;
  dispatcher: () => Dispatcher | null;
  webhooks: WebhookRegistry;
  clock: () => Date;
  nudgeRelay: () => void;
}

const SOURCE = 'tally/notification';
const MAX_TASK_UNITS = 20_000;
const INBOX_WINDOW = 5000;

/** a template named by a task: any case (the task only records it; the catalog lookup refuses unknown ones) */
const TaskTemplate = Type.String({ pattern: '^[A-Za-z0-9_]{1,64}$' });
const InboxQuery = Strict({ orgUnit: Type.Optional(OrgUnitCode), unread: Type.Optional(BooleanParam), limit: Type.Optional(DigitsParam(4)) });
const MessageParams = Strict({ id: Type.String({ minLength: 1, maxLength: 200 }) });
const KindOrAll = OneOf(['*', ...MESSAGE_KINDS]);
/** per message kind ('*' for every kind), the channels wanted: {"*": ["inbox", "email"]} */
const Channels = Type.Unsafe<Record<string, Channel[]>>({
  type: 'object',
  maxProperties: 64,
  propertyNames: { enum: ['*', ...MESSAGE_KINDS] },
  additionalProperties: { type: 'array', maxItems: 2, uniqueItems: true, items: { type: 'string', enum: ['inbox', 'email'] } },
});
const PreferencesBody = Strict({ channels: Type.Optional(Channels), digest: Type.Optional(Type.Boolean()), language: Type.Optional(OneOf(['vi', 'en'])) });
const TaskBody = Strict({
  title: Type.String({ minLength: 1, maxLength: 200 }),
  body: Type.Optional(Type.String({ maxLength: 5000 })),
  orgUnits: Type.Optional(Type.Array(OrgUnitCode, { minItems: 1, maxItems: MAX_TASK_UNITS })),
  scope: Type.Optional(Strict({ orgUnit: OrgUnitCode, level: Level })),
  dueDate: IsoDate,
  template: Type.Optional(TaskTemplate),
  period: Type.Optional(Type.String({ maxLength: 16 })),
});
const TasksQuery = Strict({ orgUnit: Type.Optional(OrgUnitCode), status: Type.Optional(OneOf(['open', 'done', 'overdue'])) });
const TaskParams = Strict({ taskId: Uuid });
const TaskDoneBody = OrNull(Strict({ orgUnit: Type.Optional(OrgUnitCode) }));
const WebhookBody = Strict({
  url: Type.String({ minLength: 8, maxLength: 2000 }),
  events: Type.Array(KindOrAll, { minItems: 1, maxItems: 64, uniqueItems: true }),
  orgUnit: OrgUnitCode,
  secret: Type.String({ minLength: 16, maxLength: 256 }),
});
const WebhookParams = Strict({ id: Uuid });
const DeliveriesQuery = Strict({ state: Type.Optional(OneOf(['pending', 'sent', 'dead'])) });
const RetryParams = Strict({ id: Uuid, deliveryId: Type.String({ pattern: '^[0-9a-f]{32}$' }) });

/** Inbox, preferences, tasks and webhooks (under /api/v1). */
export function notificationRoutes(deps: RouteDeps): FastifyPluginAsync {
  const { stores, hierarchy } = deps;
  const today = () => vietnamDateOf(deps.clock());
  const currentVersion = () => hierarchy.versionFor(today());

  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    // ---- inbox
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
        const all = rows.map((m) => view(m, language, reads.has(`${m._id}|${reader}`)));
        const unread = all.filter((m) => !m.read).length;
        const shown = q.unread === 'true' ? all.filter((m) => !m.read) : q.unread === 'false' ? all.filter((m) => m.read) : all;
        return { orgUnit: q.orgUnit, messages: shown.slice(0, Math.min(Number(q.limit ?? 100), 1000)), unread };
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
        const stream = readsStreamId(username);
        const appended = await deps.store.append(stream, [newEvent(SOURCE, stream, { type: 'tally.notification.read', data: { username, messageId: id } }, eventContextOf(request))], 'any');
        deps.nudgeRelay();
        await stores.reads.update(key, { setOnInsert: { at: new Date().toISOString(), position: appended.positions[0] } });
      }
      return { id, read: true };
    });

    app.get('/inbox/preferences', async (request) => {
      const username = callerOf(request).username;
      if (!username) throw new TallyError('INVALID_REQUEST', 'preferences belong to an account: sign in');
      const p = await stores.preferences.get(username);
      return { username, channels: p?.channels ?? { '*': ['inbox', 'email'] }, digest: p?.digest ?? false, language: p?.language ?? 'vi' };
    });

    app.put(
      '/inbox/preferences',
      { schema: { body: PreferencesBody } },
      async (request) => {
        const username = callerOf(request).username;
        if (!username) throw new TallyError('INVALID_REQUEST', 'preferences belong to an account: sign in');
        const body = request.body;
        const old = await stores.preferences.get(username);
        const data: PreferencesSetData = {
          username,
          channels: body.channels ?? old?.channels ?? { '*': ['inbox', 'email'] },
          digest: body.digest ?? old?.digest ?? false,
          language: body.language ?? old?.language ?? 'vi',
        };
        const stream = prefsStreamId(username);
        const appended = await deps.store.append(stream, [newEvent(SOURCE, stream, { type: 'tally.notification.preferences-set', data }, eventContextOf(request))], 'any');
        deps.nudgeRelay();
        const { username: _u, ...rest } = data;
        return { username, ...rest, position: appended.positions[0] };
      },
    );

    // ---- tasks
    app.post(
      '/tasks',
      {
        schema: { body: TaskBody },
      },
      async (request, reply) => {
        const body = request.body;
        if (!body.orgUnits === !body.scope) throw new TallyError('INVALID_REQUEST', 'name the units: either orgUnits or scope {orgUnit, level}');
        if (!isIsoDate(body.dueDate)) throw new TallyError('INVALID_REQUEST', `dueDate ${body.dueDate} is not a calendar date`);
        if (!body.template !== !body.period) throw new TallyError('INVALID_REQUEST', 'template and period go together');
        let version = await currentVersion();
        if (body.template && body.period) {
          const period = parsePeriod(body.period);
          if (!period) throw new TallyError('INVALID_PERIOD', `"${body.period}" is not a period code`);
          const template = (await deps.catalog.catalogFor(period.endDate))?.templates.find((t) => t.code === body.template);
          if (!template) throw new TallyError('UNKNOWN_TEMPLATE', `unknown template ${body.template} for period ${body.period}`);
          if (template.periodType !== period.type) throw new TallyError('PERIOD_TEMPLATE_MISMATCH', `template ${template.code} is ${template.periodType}`);
          version = await hierarchy.versionFor(period.endDate);
        }
        const caller = callerOf(request);
        const units = body.orgUnits ?? (await unitsAtLevel(hierarchy, version, body.scope!.orgUnit, body.scope!.level));
        for (const u of new Set(units)) {
          if (!(await hierarchy.unit(version, u))) throw new TallyError('UNKNOWN_ORG_UNIT', `no unit ${u} in hierarchy ${version}`);
          await requireWithin(hierarchy, version, u, caller.orgUnit);
        }
        const taskId = randomUUID();
        const task: TaskAssignedData = {
          taskId,
          title: body.title,
          body: body.body ?? null,
          orgUnits: units,
          dueDate: body.dueDate,
          template: body.template ?? null,
          period: body.period ?? null,
          hierarchy: version,
          assignedBy: caller.orgUnit,
        };
        const reported =
          body.template && body.period ? (await stores.received.getMany(units.map((u) => receivedId(body.template!, body.period!, u)))).map((r) => ({ orgUnit: r.orgUnit, reportId: r.reportId })) : [];
        const stream = taskStreamId(taskId);
        const ctx = eventContextOf(request);
        const events = decideTask(null, { kind: 'assign', task, reported });
        const appended = await deps.store.append(stream, events.map((e) => newEvent<string, unknown>(SOURCE, stream, e, ctx)), 'no_stream');
        deps.nudgeRelay();
        return reply.status(201).send({ taskId, orgUnits: units.length, done: events.length - 1, position: appended.positions[0] });
      },
    );

    app.get(
      '/tasks',
      { preValidation: defaultOrgUnit('query'), schema: { querystring: TasksQuery } },
      async (request) => {
        const q = request.query;
        if (!q.orgUnit) throw new TallyError('INVALID_REQUEST', 'orgUnit is required when not signed in');
        const addressed = (await stores.taskUnits.find({ orgUnit: q.orgUnit })).map((t) => t.taskId);
        const assigned = await stores.tasks.find({ assignedBy: q.orgUnit });
        const byId = new Map(assigned.map((t) => [t._id, t]));
        for (const t of await stores.tasks.getMany(addressed.filter((id) => !byId.has(id)))) byId.set(t._id, t);
        const day = today();
        const tasks = [...byId.values()]
          .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))
          .map((t) => {
            const state = { task: { ...t, taskId: t._id, hierarchy: '' }, done: t.done ?? {} };
            const units = (t.assignedBy === q.orgUnit ? t.orgUnits : [q.orgUnit!]).map((u) => ({ orgUnit: u, status: taskStatus(state, u, day), doneAt: t.done?.[u]?.at ?? null }));
            return { taskId: t._id, title: t.title, body: t.body, dueDate: t.dueDate, template: t.template, period: t.period, assignedBy: t.assignedBy, createdAt: t.createdAt, units };
          })
          .filter((t) => !q.status || t.units.some((u) => u.status === q.status));
        return { orgUnit: q.orgUnit, tasks };
      },
    );

    app.post(
      '/tasks/:taskId/done',
      {
        preValidation: defaultOrgUnit('body'),
        schema: { params: TaskParams, body: TaskDoneBody },
      },
      async (request) => {
        const { taskId } = request.params;
        const caller = callerOf(request);
        const orgUnit = request.body?.orgUnit ?? caller.orgUnit;
        const stream = taskStreamId(taskId);
        const existing = foldTask(await deps.store.readStream(stream));
        if (!existing) throw new TallyError('NOT_FOUND', `no task ${taskId}`);
        await requireWithin(hierarchy, existing.task.hierarchy, orgUnit, caller.orgUnit);
        const ctx = eventContextOf(request);
        return decideAndAppend(deps.store, stream, (history) => {
          const events = decideTask(foldTask(history), { kind: 'done', orgUnit, via: 'manual' });
          const result = { taskId, orgUnit, status: 'done' as const };
          if (events.length === 0) return { result };
          return {
            events: events.map((e) => newEvent<string, unknown>(SOURCE, stream, e, ctx)),
            result: () => {
              deps.nudgeRelay();
              return result;
            },
          };
        });
      },
    );

    // ---- webhooks
    app.post(
      '/webhooks',
      {
        schema: { body: WebhookBody },
      },
      async (request, reply) => {
        const body = request.body;
        const problem = urlProblem(deps.settings.webhookAllow, body.url);
        if (problem) throw new TallyError('INVALID_REQUEST', `webhook url refused: ${problem}`, { field: 'url' });
        if (body.orgUnit !== 'VN' && !(await hierarchy.unit(await currentVersion(), body.orgUnit))) throw new TallyError('UNKNOWN_ORG_UNIT', `no unit ${body.orgUnit}`);
        const id = randomUUID();
        const data: WebhookRegisteredData = { id, url: body.url, events: body.events, orgUnit: body.orgUnit, secret: body.secret, createdBy: callerOf(request).username ?? 'anonymous' };
        await deps.store.append(WEBHOOKS_STREAM, [newEvent(SOURCE, WEBHOOKS_STREAM, { type: 'tally.notification.webhook-registered', data }, eventContextOf(request))], 'any');
        deps.nudgeRelay();
        return reply.status(201).send({ id });
      },
    );

    const webhookOf = async (id: string, orgUnit: string): Promise<WebhookRegisteredData> => {
      const hook = await deps.webhooks.get(id);
      if (!hook) throw new TallyError('NOT_FOUND', `no webhook ${id}`);
      await requireWithin(hierarchy, await currentVersion(), hook.orgUnit, orgUnit);
      return hook;
    };
    app.get(
      '/webhooks/:id/deliveries',
      { schema: { params: WebhookParams, querystring: DeliveriesQuery } },
      async (request) => {
        const { id } = request.params;
        const { state } = request.query;
        await webhookOf(id, callerOf(request).orgUnit);
        const rows = await stores.outbox.find({ target: id, channel: 'webhook', ...(state ? { state } : {}) });
        return {
          webhook: id,
          deliveries: rows
            .sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1))
            .map((d) => ({ id: d._id, kind: d.kind, orgUnit: d.orgUnit, messageId: d.messageId, state: d.state, attempts: d.attempts, lastError: d.lastError, createdAt: d.createdAt, sentAt: d.sentAt, nextAttemptAt: d.state === 'pending' && d.nextAt > 0 ? new Date(d.nextAt).toISOString() : null })),
        };
      },
    );

    app.post(
      '/webhooks/:id/deliveries/:deliveryId/retry',
      { schema: { params: RetryParams } },
      async (request, reply) => {
        const { id, deliveryId } = request.params;
        await webhookOf(id, callerOf(request).orgUnit);
        const d = await stores.outbox.get(deliveryId);
        if (!d || d.target !== id || d.channel !== 'webhook') throw new TallyError('NOT_FOUND', `no delivery ${deliveryId} for webhook ${id}`);
        if (d.state === 'sent') throw new TallyError('INVALID_TRANSITION', `delivery ${deliveryId} was delivered at ${d.sentAt}`);
        await stores.outbox.update(deliveryId, { set: { state: 'pending', attempts: 0, nextAt: 0, lastError: null } });
        deps.dispatcher()?.nudge();
        return reply.status(202).send({ id: deliveryId, state: 'pending' });
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

async function unitsAtLevel(hierarchy: HierarchyQuery, version: string, root: string, level: string): Promise<string[]> {
  const top = await hierarchy.unit(version, root);
  if (!top) throw new TallyError('UNKNOWN_ORG_UNIT', `no unit ${root} in hierarchy ${version}`);
  const levels = (await hierarchy.versions()).find((v) => v.id === version)?.levels ?? [];
  if (!levels.includes(level) || levels.indexOf(level) < levels.indexOf(top.level)) throw new TallyError('INVALID_REQUEST', `no level ${level} below ${root} (levels: ${levels.join(', ')})`);
  let frontier = [top];
  while (frontier.length > 0 && frontier[0]!.level !== level) frontier = (await Promise.all(frontier.map((u) => hierarchy.children(version, u.code)))).flat();
  if (frontier.length > MAX_TASK_UNITS) throw new TallyError('INVALID_REQUEST', `the scope names ${frontier.length} units; at most ${MAX_TASK_UNITS}`);
  return frontier.map((u) => u.code);
}

