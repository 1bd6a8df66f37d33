import { request as httpRequest, createServer, type Server } from 'node:http';
import { serviceFor, type ServiceName } from './routes';

/**
 * One HTTP port in front of the six services, so clients use the same base URL in both modes.
 * A thin reverse proxy: no buffering of bodies, no retries; /health aggregates every service's health.
 */
export function startGateway(port: number, targets: Record<ServiceName, number>, host = '127.0.0.1'): Promise<Server> {
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/health' || url === '/api/v1/health') {
      // the details need an operator's token (each service checks it); the public answer is only up or not
      const detailed = url === '/api/v1/health';
      void aggregateHealth(targets, detailed, req.headers.authorization).then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
        res.end(JSON.stringify(detailed || status !== 200 ? body : { status: body.status }));
      });
      return;
    }
    const service = serviceFor(req.method ?? 'GET', url);
    if (!service) {
      res.writeHead(404, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' });
      res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no route for this path' } }));
      return;
    }
    const upstream = httpRequest({ host: '127.0.0.1', port: targets[service], method: req.method, path: url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'UNAVAILABLE', message: `${service} is not reachable; retry shortly` } }));
    });
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

async function aggregateHealth(targets: Record<ServiceName, number>, detailed: boolean, authorization: string | undefined): Promise<{ status: number; body: { status: string; [k: string]: unknown } }> {
  const services = [];
  for (const [name, port] of Object.entries(targets)) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/${detailed ? 'api/v1/health' : 'health'}`, detailed && authorization ? { headers: { authorization } } : {});
      const body = (await r.json()) as { status?: string; services?: unknown[] };
      // a refused token (401/403) is the caller's answer, not a service's state
      if (r.status === 401 || r.status === 403) return { status: r.status, body: body as { status: string } };
      services.push(...(body.services ?? [{ name, status: body.status === 'ok' ? 'up' : (body.status ?? 'up') }]));
    } catch {
      services.push({ name, status: 'down', consumers: [] });
    }
  }
  return { status: 200, body: { status: services.every((s) => (s as { status: string }).status === 'up') ? 'ok' : 'degraded', mode: 'distributed', services } };
}
