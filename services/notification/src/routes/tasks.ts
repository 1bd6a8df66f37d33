import { randomUUID } from 'node:crypto';
import { TallyError, type HierarchyQuery } from '@tally/contracts';
import { isIsoDate, parsePeriod, taskStatus, taskStream, taskStreamId, vietnamDateOf, type TaskAssignedData } from '@tally/core';
import { loadStream } from '@tally/eventstore';
import { IsoDate, Level, OneOf, OrNull, OrgUnitCode, Strict, Type, Uuid, eventContextOf, type TypeBoxTypeProvider } from '@tally/runtime';
import type { FastifyPluginAsync } from 'fastify';
import { assignTask, markTaskDone } from '../commands';
import { receivedId } from '../projections';
import { callerOf, defaultOrgUnit, requireWithin } from '../scope';
import { currentHierarchyVersion, projectStreamNow, type RouteDeps } from './deps';

const MAX_TASK_UNITS = 20_000;
/** a template named by a task: any case (the task only records it; the catalog lookup refuses unknown ones) */
const TaskTemplate = Type.String({ pattern: '^[A-Za-z0-9_]{1,64}$' });
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

/** Tasks: assign, list, mark done by hand (under /api/v1). */
export function taskRoutes(deps: RouteDeps): FastifyPluginAsync {
  const { stores, hierarchy } = deps;
  const today = () => vietnamDateOf(deps.clock());
  const currentVersion = currentHierarchyVersion(deps);

  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
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
        const assigned = await assignTask(deps.store, task, reported, eventContextOf(request));
        deps.nudgeRelay();
        await projectStreamNow(deps, taskStreamId(taskId));
        return reply.status(201).send({ taskId, orgUnits: units.length, ...assigned });
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
        const { state: existing } = await loadStream(deps.store, taskStreamId(taskId), taskStream);
        if (!existing) throw new TallyError('NOT_FOUND', `no task ${taskId}`);
        await requireWithin(hierarchy, existing.task.hierarchy, orgUnit, caller.orgUnit);
        if (await markTaskDone(deps.store, taskId, { orgUnit, via: 'manual' }, eventContextOf(request))) {
          deps.nudgeRelay();
          await projectStreamNow(deps, taskStreamId(taskId));
        }
        return { taskId, orgUnit, status: 'done' as const };
      },
    );
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
