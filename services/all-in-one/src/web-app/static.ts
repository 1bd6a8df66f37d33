import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { WEB_DIST } from './paths';

/**
 * Serves the built web app (web/dist) at `/`: index.html never cached (so a new build is picked up at once),
 * hashed files under /assets/ cached for a year as immutable. The app uses hash routes (/#/due), so `/` is the
 * only page; /sw.js is its service worker (the app shell offline). Without a build (tests of the API alone), `/` says how to build it. Public routes (policy.ts).
 */
export async function mountWebApp(app: FastifyInstance, options: { dist?: string } = {}): Promise<void> {
  const dist = options.dist ?? WEB_DIST;
  const indexFile = join(dist, 'index.html');
  app.get('/', async (_request, reply) => {
    void reply.header('cache-control', 'no-cache').header('content-type', 'text/html; charset=utf-8');
    if (!existsSync(indexFile)) return NOT_BUILT;
    return readFileSync(indexFile);
  });
  // the service worker keeps the app shell for offline use; no-cache so a new one is picked up at once
  const worker = join(dist, 'sw.js');
  app.get('/sw.js', async (_request, reply) => {
    if (!existsSync(worker)) return reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'the web app is not built' } });
    return reply.header('cache-control', 'no-cache').header('content-type', 'text/javascript; charset=utf-8').send(readFileSync(worker));
  });
  const assets = join(dist, 'assets');
  if (existsSync(assets)) {
    await app.register(fastifyStatic, {
      root: assets,
      prefix: '/assets/',
      index: false,
      cacheControl: false,
      preCompressed: true,
      setHeaders: (res) => res.setHeader('cache-control', 'public, max-age=31536000, immutable'),
    });
  }
}

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Tally</title>
<p>The web app is not built. <code>pnpm start</code> builds it; or run <code>pnpm --filter @tally/web build</code>.</p></html>`;
