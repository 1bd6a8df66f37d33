import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webAppHandler, type WebAppHandler } from '../src/web-app/gateway-web';

/** The distributed gateway's share of the web app: `/` and `/assets/*` (built on demand), nothing else. */
describe('gateway: the web app', () => {
  let web: WebAppHandler;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    web = await webAppHandler();
    server = createServer((req, res) => web.serve(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 180_000);
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('claims only GET/HEAD of the page and its assets', () => {
    expect(web.handles('GET', '/')).toBe(true);
    expect(web.handles('HEAD', '/assets/index-abc.js')).toBe(true);
    expect(web.handles('GET', '/api/v1/reports')).toBe(false);
    expect(web.handles('POST', '/')).toBe(false);
    expect(web.handles('GET', '/health')).toBe(false);
  });

  it('serves the built page, never cached, and its hashed script, cached for good', async () => {
    const page = await fetch(`${base}/`);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`${base}${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
  });
});
