import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify from 'fastify';
import { ensureWebBuild } from './build';
import { mountWebApp } from './static';

/**
 * The web app for the distributed gateway (a plain node:http proxy): a small fastify instance that serves only
 * the app's files, built first when missing or stale. `handles` says which requests are the app's.
 */
export interface WebAppHandler {
  handles(method: string, url: string): boolean;
  serve(req: IncomingMessage, res: ServerResponse): void;
}

export async function webAppHandler(log: (line: string) => void = () => {}): Promise<WebAppHandler> {
  try {
    await ensureWebBuild(log);
  } catch (err) {
    log(`web app build failed, serving the API only: ${(err as Error).message}`);
  }
  const app = Fastify({ logger: false });
  await mountWebApp(app);
  await app.ready();
  return {
    handles: (method, url) => (method === 'GET' || method === 'HEAD') && (url === '/' || url.startsWith('/?') || url === '/sw.js' || url.startsWith('/assets/')),
    serve: (req, res) => app.routing(req, res),
  };
}
