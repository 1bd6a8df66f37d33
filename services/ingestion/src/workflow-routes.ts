import { eventContextOf } from '@tally/runtime';
import type { FastifyPluginAsync } from 'fastify';
import { runWorkflowCommand, type WorkflowAction, type WorkflowDeps } from './workflow-commands';

const REPORT_ID = '^report-[A-Z][A-Z0-9_]*-[0-9A-Z]+-[0-9SQ]+$';
const LEVEL = { type: 'string', pattern: '^[a-z_]{1,32}$' } as const;
const REASON = { type: 'string', minLength: 1, maxLength: 2000 } as const;

const params = { type: 'object', required: ['reportId'], properties: { reportId: { type: 'string', pattern: REPORT_ID, maxLength: 100 } } } as const;
const bodies: Record<WorkflowAction, object> = {
  // approve and lock need no body: an empty request is accepted
  approve: { anyOf: [{ type: 'object', additionalProperties: false, properties: { level: LEVEL, reason: REASON } }, { type: 'null' }] },
  return: { type: 'object', additionalProperties: false, required: ['reason'], properties: { level: LEVEL, reason: REASON } },
  lock: { anyOf: [{ type: 'object', additionalProperties: false, properties: { reason: REASON } }, { type: 'null' }] },
  unlock: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: REASON } },
};

/** POST /reports/{reportId}/approve | return | lock | unlock (JSON body; `reason` required to return and unlock). */
export function workflowRoutes(deps: WorkflowDeps & { nudgeRelay: () => void }): FastifyPluginAsync {
  return async (app) => {
    for (const action of ['approve', 'return', 'lock', 'unlock'] as const) {
      app.post(`/reports/:reportId/${action}`, { schema: { params, body: bodies[action] } }, async (request, reply) => {
        const { reportId } = request.params as { reportId: string };
        const body = (request.body ?? {}) as { level?: string; reason?: string };
        const answer = await runWorkflowCommand(deps, reportId, { action, ...body }, request.tallyActor, eventContextOf(request, body.reason));
        deps.nudgeRelay();
        return reply.status(200).send(answer);
      });
    }
  };
}
