import type { ImportSummary } from '@tally/core';
import type { FastifyReply } from 'fastify';

/**
 * Answers an import summary: 200 when anything was (or, dry, would be) accepted (SUCCESS, WARNING); 409 with the
 * API's error code IMPORT_CONFLICT when nothing was (ERROR), the summary still in the body, as DHIS2 does.
 */
export function sendSummary(reply: FastifyReply, summary: ImportSummary): FastifyReply {
  if (summary.status !== 'ERROR') return reply.status(200).send(summary);
  return reply.status(409).send({ ...summary, error: { code: 'IMPORT_CONFLICT', message: `nothing was imported: ${summary.description}` } });
}
