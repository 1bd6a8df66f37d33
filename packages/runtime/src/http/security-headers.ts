import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * Response headers every answer of every service carries, whatever it serves (JSON, CSV, or HTML pages of the
 * web app at `/`): no MIME sniffing; never framed by another site (clickjacking), by X-Frame-Options for old
 * browsers and CSP `frame-ancestors` for current ones (a page that sets its own CSP keeps it, with
 * `frame-ancestors 'none'` added when it has none); and answers to authenticated requests, or that carry a token,
 * are never stored by a browser or a proxy cache.
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('x-frame-options', 'DENY');
    const csp = reply.getHeader('content-security-policy');
    if (csp === undefined) void reply.header('content-security-policy', "frame-ancestors 'none'");
    else if (!/frame-ancestors/i.test(String(csp))) void reply.header('content-security-policy', `${String(csp)}; frame-ancestors 'none'`);
    // signed in (a bearer token or a session cookie), or signing in (the answer holds a token): private and not stored
    const authenticated = request.headers.authorization !== undefined || request.headers.cookie !== undefined || request.url.startsWith('/api/v1/auth/');
    if (authenticated || reply.getHeader('cache-control') === undefined) void reply.header('cache-control', 'no-store');
    return payload;
  });
}

/**
 * Requests Node's HTTP parser refuses before fastify sees them (headers too large: 431; anything malformed:
 * 400) answer in the API's error shape too, without echoing the request. Pass as fastify's `clientErrorHandler`.
 */
export function apiClientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return;
  const [status, error] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? ['431 Request Header Fields Too Large', { code: 'HEADERS_TOO_LARGE', message: 'the request line and headers are too large' }]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? ['408 Request Timeout', { code: 'INVALID_REQUEST', message: 'the request was not received in time' }]
        : ['400 Bad Request', { code: 'INVALID_REQUEST', message: 'the HTTP request is malformed' }];
  const body = JSON.stringify({ error });
  socket.end(
    `HTTP/1.1 ${status}\r\n` +
      'content-type: application/json; charset=utf-8\r\nx-content-type-options: nosniff\r\ncache-control: no-store\r\nconnection: close\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
