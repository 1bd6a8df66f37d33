import { TallyError } from '@tally/contracts';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { installErrorHandling } from './error-handler';
import { parseJsonBody } from './json-body';
import { apiClientErrorHandler, installSecurityHeaders } from './security-headers';
import { normalizeNfc } from './normalize';
import type { Logger } from '../logger';
import { observe, renderMetrics } from '../observability/metrics';
import { installHttpTracing } from '../observability/http-tracing';

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
    // one log line per request is the access log's job, not the app's
    logController: new LogController({ disableRequestLogging: true }),
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    clientErrorHandler: apiClientErrorHandler,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
    // router-level refusals (over-long path parameter, malformed URL) answer in the API's error shape too, without echoing the URL
    frameworkErrors: ((error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      void reply.status(tooLong ? 414 : 400).send(new TallyError('INVALID_REQUEST', tooLong ? 'a path parameter is too long' : 'the URL is malformed').toJSON());
    }) as FastifyServerOptions['frameworkErrors'],
  }) as unknown as FastifyInstance;
  installErrorHandling(app);
  installSecurityHeaders(app);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addHook('preValidation', async (request) => {
    if (request.body !== undefined && request.body !== null) request.body = normalizeNfc(request.body);
    if (request.query && typeof request.query === 'object') request.query = normalizeNfc(request.query);
  });
  installMetrics(app);
  installHttpTracing(app);
  return app;
}

/** Latency and status of every answer by route template (not raw URL: bounded label values), and GET /metrics. */
function installMetrics(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    observe.http(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await renderMetrics();
    return reply.type(contentType).send(body);
  });
}
