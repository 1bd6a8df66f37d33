import { Level, OrNull, Reason, ReportId, Strict, Type, eventContextOf, type TypeBoxTypeProvider } from '@tally/runtime';
import type { FastifyPluginAsync } from 'fastify';
import { runWorkflowCommand, type WorkflowAction, type WorkflowDeps } from './workflow-commands';

const Params = Type.Object({ reportId: ReportId });
/** every action's body: `level` (approve, return) and `reason` (required to return and unlock) */
const Bodies = {
  // approve and lock need no body: an empty request is accepted
  approve: OrNull(Strict({ level: Type.Optional(Level), reason: Type.Optional(Reason) })),
  return: Strict({ level: Type.Optional(Level), reason: Reason }),
  lock: OrNull(Strict({ reason: Type.Optional(Reason) })),
  unlock: Strict({ reason: Reason }),
} satisfies Record<WorkflowAction, unknown>;

/** POST /reports/{reportId}/approve | return | lock | unlock (JSON body; `reason` required to return and unlock). */
export function workflowRoutes(deps: WorkflowDeps & { nudgeRelay: () => void }): FastifyPluginAsync {
  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    for (const action of ['approve', 'return', 'lock', 'unlock'] as const) {
      app.post(`/reports/:reportId/${action}`, { schema: { params: Params, body: Bodies[action] } }, async (request, reply) => {
        const { reportId } = request.params;
        const body: { level?: string; reason?: string } = request.body ?? {};
        const answer = await runWorkflowCommand(deps, reportId, { action, ...body }, request.tallyActor, eventContextOf(request, body.reason));
        deps.nudgeRelay();
        return reply.status(200).send(answer);
      });
    }
  };
}
