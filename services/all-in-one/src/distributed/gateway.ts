import { request as httpRequest, createServer, type Server } from 'node:http';
import { serviceFor, type ServiceName } from './routes';
import { webAppHandler } from '../web-app/gateway-web';

/**
 * One HTTP port in front of the six services, so clients use the same base URL in both modes.
 * A thin reverse proxy: no buffering of bodies, no retries; /health aggregates every service's health.
 */
export async function startGateway(port: number, targets: Record<ServiceName, number>, host = '127.0.0.1'): Promise<Server> {
  const web = await webAppHandler(); // the web app at /
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/health' || url === '/api/v1/health') {
      void aggregateHealth(targets).then((body) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
      return;
    }
    const service = serviceFor(req.method ?? 'GET', url);
    if (!service && web.handles(req.method ?? 'GET', url)) return web.serve(req, res);
    if (!service) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${url.split('?')[0]}` } }));
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

async function aggregateHealth(targets: Record<ServiceName, number>) {
  const services = [];
  for (const [name, port] of Object.entries(targets)) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health`);
      const body = (await r.json()) as { services?: unknown[] };
      services.push(...(body.services ?? [{ name, status: 'up' }]));
    } catch {
      services.push({ name, status: 'down', consumers: [] });
    }
  }
  return { status: services.every((s) => (s as { status: string }).status === 'up') ? 'ok' : 'degraded', mode: 'distributed', services };
}
