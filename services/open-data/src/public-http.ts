import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { TokenBuckets, type BucketSettings } from '@tally/auth';
import { TallyError } from '@tally/contracts';
import type { FastifyInstance } from 'fastify';
import '@tally/auth';

/**
 * What makes the open-data API easy to reuse from anywhere, for the routes of one plugin: CORS (any origin
 * may read), a request budget per client IP, ETags (strong; weak for gzipped bodies) with If-None-Match (304),
 * and gzip.
 * Simple cross-origin GETs need no preflight, so OPTIONS is not served.
 */
export function installPublicHttp(app: FastifyInstance, rateLimit: BucketSettings): void {
  const buckets = new TokenBuckets(rateLimit);

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('access-control-allow-origin', '*');
    void reply.header('access-control-expose-headers', 'ETag, Link, Content-Disposition, Retry-After');
    // signed-in callers already have their account's budget (the auth hook); anonymous readers get this one per IP
    if (request.tallyPrincipal) return;
    const wait = buckets.take(`ip:${request.ip}`);
    if (wait > 0) throw new TallyError('RATE_LIMITED', `too many open-data requests from your address; retry in ${wait} s`, { retryAfterSec: wait });
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'GET' || reply.statusCode !== 200) return payload;
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
    const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
    void reply.header('etag', etag);
    void reply.header('vary', 'Accept-Encoding');
    if (matches(request.headers['if-none-match'], etag)) {
      void reply.code(304);
      void reply.removeHeader('content-length');
      return '';
    }
    if (body.length >= 1024 && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
      // another encoding of the same content: a weak validator (If-None-Match compares weakly)
      void reply.header('etag', `W/${etag}`);
      void reply.header('content-encoding', 'gzip');
      void reply.removeHeader('content-length');
      return gzipSync(body);
    }
    return payload;
  });
}

/** If-None-Match: `*`, or a list of (possibly weak) tags. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}
