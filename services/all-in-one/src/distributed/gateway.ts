import { request as httpRequest, createServer, type Server } from 'node:http';
import type { ServiceState } from './supervision';
import { SERVICE_NAMES, serviceFor, type ServiceName } from './routes';
import { webAppHandler } from '../web-app/gateway-web';

/** One process of a service: the service's name for its first replica, `<service>#<n>` for the others. */
export interface Upstream {
  instance: string;
  port: number;
}

/**
 * One HTTP port in front of the six services, so clients use the same base URL in both modes.
 * A thin reverse proxy: no buffering of bodies, no retries; requests to a service with several replicas go to
 * them in turn (skipping one the supervisor knows is down); /health aggregates every replica's health;
 * /health/ready answers 200 only while every service has a replica that answers its own readiness (503 while
 * one has none, e.g. between its crash and its restart by the supervisor).
 */
export async function startGateway(
  port: number,
  targets: Record<ServiceName, number | Upstream[]>,
  host = '127.0.0.1',
  supervision?: () => Record<string, ServiceState>,
): Promise<Server> {
  const upstreams = Object.fromEntries(
    SERVICE_NAMES.map((s) => {
      const t = targets[s];
      return [s, typeof t === 'number' ? [{ instance: s, port: t }] : t];
    }),
  ) as Record<ServiceName, Upstream[]>;
  let turn = 0;
  const pick = (service: ServiceName): number => {
    const all = upstreams[service];
    const states = supervision?.();
    const live = states ? all.filter((u) => states[u.instance]?.status !== 'down') : all;
    const pool = live.length > 0 ? live : all;
    return pool[turn++ % pool.length]!.port;
  };
  const web = await webAppHandler(); // the web app at /
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/health/ready' || url === '/api/v1/health/ready') {
      void readiness(upstreams, supervision?.()).then(({ ready, body }) => {
        res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(body));
      });
      return;
    }
    if (url === '/health' || url === '/api/v1/health') {
      // the details need an operator's token (each service checks it); the public answer is only up or not
      const detailed = url === '/api/v1/health';
      void aggregateHealth(upstreams, detailed, req.headers.authorization).then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
        res.end(JSON.stringify(detailed || status !== 200 ? body : { status: body.status }));
      });
      return;
    }
    const service = serviceFor(req.method ?? 'GET', url);
    if (!service && web.handles(req.method ?? 'GET', url)) return web.serve(req, res);
    if (!service) {
      res.writeHead(404, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' });
      res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no route for this path' } }));
      return;
    }
    const upstream = httpRequest({ host: '127.0.0.1', port: pick(service), method: req.method, path: url, headers: req.headers }, (up) => {
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

async function aggregateHealth(targets: Record<ServiceName, Upstream[]>, detailed: boolean, authorization: string | undefined): Promise<{ status: number; body: { status: string; [k: string]: unknown } }> {
  const services = [];
  for (const { instance: name, port } of Object.values(targets).flat()) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/${detailed ? 'api/v1/health' : 'health'}`, detailed && authorization ? { headers: { authorization } } : {});
      const body = (await r.json()) as { status?: string; services?: unknown[] };
      // a refused token (401/403) is the caller's answer, not a service's state
      if (r.status === 401 || r.status === 403) return { status: r.status, body: body as { status: string } };
      const own = body.services ?? [{ name, status: body.status === 'ok' ? 'up' : (body.status ?? 'up') }];
      // a second replica's entries say which process answered (`<service>#<n>`)
      services.push(...own.map((s) => ((s as { name?: string }).name === name ? s : { ...(s as object), instance: name })));
    } catch {
      services.push({ name, status: 'down', consumers: [] });
    }
  }
  return { status: 200, body: { status: services.every((s) => (s as { status: string }).status === 'up') ? 'ok' : 'degraded', mode: 'distributed', services } };
}

/** Every replica's own /health/ready (2 s each at most, in parallel), with the supervisor's restart counts. */
async function readiness(targets: Record<ServiceName, Upstream[]>, states: Record<string, ServiceState> | undefined) {
  const checks = await Promise.all(
    SERVICE_NAMES.flatMap((service) => targets[service].map((u) => ({ service, ...u }))).map(async ({ service, instance: name, port }) => {
      let ready = false;
      try {
        const r = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(2_000) });
        await r.arrayBuffer(); // frees the connection for the next probe
        ready = r.ok;
      } catch {
        // not listening (exited, restarting) or not answering: not ready
      }
      return { name, ...(name !== service ? { service } : {}), ready, ...(states?.[name] ? { restarts: states[name].restarts } : {}) };
    }),
  );
  // a service is ready while one of its replicas is
  const missing = SERVICE_NAMES.filter((s) => !checks.some((c) => (c.service ?? c.name) === s && c.ready));
  if (missing.length === 0) return { ready: true, body: { status: 'ready', services: checks } };
  return {
    ready: false,
    body: { error: { code: 'UNAVAILABLE', message: `not ready: ${missing.join(', ')}; retry shortly`, details: { services: checks } } },
  };
}
