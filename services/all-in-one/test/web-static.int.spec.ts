import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountWebApp } from '../src';

/** How the web app's files are served: the page never cached, hashed assets immutable and pre-compressed. */
describe('web app files', () => {
  let app: FastifyInstance;
  let dist: string;
  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'tally-web-dist-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Tally</title><script type="module" src="/assets/index-abc123.js"></script>');
    const js = 'console.log("Thái Nguyên");'.repeat(50);
    writeFileSync(join(dist, 'assets', 'index-abc123.js'), js);
    writeFileSync(join(dist, 'assets', 'index-abc123.js.br'), brotliCompressSync(js));
    writeFileSync(join(dist, 'sw.js'), 'self.addEventListener("fetch", () => {});');
    app = Fastify();
    await mountWebApp(app, { dist });
  });
  afterAll(async () => {
    await app.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves index.html at / with no-cache', async () => {
    const r = await app.inject({ method: 'GET', url: '/' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(r.headers['content-type']).toContain('text/html');
    expect(r.body).toContain('/assets/index-abc123.js');
  });

  it('serves hashed assets as immutable for a year, brotli when accepted', async () => {
    const plain = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.body).toContain('Thái Nguyên');
    const br = await app.inject({ method: 'GET', url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(Number(br.headers['content-length'])).toBeLessThan(plain.body.length);
  });

  it('serves the service worker at /sw.js, never cached', async () => {
    const r = await app.inject({ method: 'GET', url: '/sw.js' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(r.headers['content-type']).toContain('javascript');
  });

  it('answers 404 for a missing asset and says how to build when there is no build', async () => {
    expect((await app.inject({ method: 'GET', url: '/assets/nope.js' })).statusCode).toBe(404);
    const bare = Fastify();
    await mountWebApp(bare, { dist: join(dist, 'missing') });
    const r = await bare.inject({ method: 'GET', url: '/' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('not built');
    await bare.close();
  });
});
