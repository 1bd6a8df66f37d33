import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../src/distributed/gateway';
import { SERVICE_NAMES, type ServiceName } from '../src/distributed/routes';

/**
 * The distributed gateway's health (issue 19, item 9): the public /health says only whether the services are up;
 * /api/v1/health forwards the caller's token to every service, which decides (operators only).
 */
describe('gateway health', () => {
  let service: Server;
  let gateway: Server;
  let base: string;
  const seen: Array<string | undefined> = [];

  beforeAll(async () => {
    // one stand-in for all six services: public {status}; details only for the operator's token
    service = createServer((req, res) => {
      if (req.url === '/health') return void res.end(JSON.stringify({ status: 'ok' }));
      seen.push(req.headers.authorization);
      if (req.headers.authorization !== 'Bearer operator') {
        res.writeHead(401, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'sign in' } }));
      }
      res.end(JSON.stringify({ status: 'ok', services: [{ name: 'x', status: 'up', consumers: [{ group: 'secret-group', lag: 3 }] }] }));
    });
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    const port = (service.address() as AddressInfo).port;
    const targets = Object.fromEntries(SERVICE_NAMES.map((n) => [n, port])) as Record<ServiceName, number>;
    gateway = await startGateway(0, targets);
    base = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => gateway.close(r));
    await new Promise((r) => service.close(r));
  });

  it('answers the public /health with {status} only', async () => {
    const r = await fetch(`${base}/health`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok' });
  });

  it('refuses /api/v1/health without the operator token, with the service answer, and shows the details to the operator', async () => {
    const anonymous = await fetch(`${base}/api/v1/health`);
    expect(anonymous.status).toBe(401);
    expect(JSON.stringify(await anonymous.json())).not.toContain('secret-group');
    const operator = await fetch(`${base}/api/v1/health`, { headers: { authorization: 'Bearer operator' } });
    expect(operator.status).toBe(200);
    const body = (await operator.json()) as { services: Array<{ consumers: Array<{ group: string }> }> };
    expect(body.services[0]!.consumers[0]!.group).toBe('secret-group');
    expect(seen).toContain('Bearer operator');
  });

  it('answers unknown routes without echoing the path', async () => {
    const r = await fetch(`${base}/nothing-here-probe-marker`);
    expect(r.status).toBe(404);
    expect(await r.text()).not.toContain('probe-marker');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
