import Fastify, { type FastifyInstance } from 'fastify';
import { installErrorHandling } from './error-handler';
import { normalizeNfc } from './normalize';
import type { Logger } from '../logger';

export interface HttpAppOptions {
  logger: Logger;
  /** maximum request body in bytes; larger bodies get 413 PAYLOAD_TOO_LARGE */
  bodyLimit?: number;
}

/** The HTTP host every service's routes are registered on (one per process). */
export function createHttpApp(options: HttpAppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? 2 * 1024 * 1024,
    disableRequestLogging: true,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
  }) as unknown as FastifyInstance;
  installErrorHandling(app);
  app.addHook('preValidation', async (request) => {
    if (request.body !== undefined && request.body !== null) request.body = normalizeNfc(request.body);
    if (request.query && typeof request.query === 'object') request.query = normalizeNfc(request.query);
  });
  return app;
}
