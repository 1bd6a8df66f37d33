import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { join, relative } from 'node:path';
import { BUILD_STAMP, WEB_DIST, WEB_ROOT } from './paths';

/**
 * The web app is built from source when its build is missing or stale, so a fresh clone's `pnpm start` and
 * `pnpm test` serve the current app without a separate build step and no built file is ever committed.
 * Stale = the hash of every source file (web/src, index.html, vite config, the core code it bundles) differs
 * from the one written next to the last build; content hashes, not mtimes, because git checkouts reset mtimes.
 */
const SOURCES = ['index.html', 'vite.config.ts', 'package.json', 'src', 'public', '../packages/core/src/catalog', '../packages/core/src/formula', '../packages/core/src/period'];

export function webSourceHash(): string {
  const hash = createHash('sha256');
  const visit = (path: string): void => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(path, name));
      return;
    }
    hash.update(relative(WEB_ROOT, path)).update('\0').update(readFileSync(path)).update('\0');
  };
  for (const s of SOURCES) visit(join(WEB_ROOT, s));
  return hash.digest('hex');
}

export function webBuildIsCurrent(): boolean {
  const stamp = join(WEB_DIST, BUILD_STAMP);
  return existsSync(join(WEB_DIST, 'index.html')) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === webSourceHash();
}

/** Builds web/ with Vite when missing or stale; resolves to true when it built. */
export async function ensureWebBuild(log: (line: string) => void = () => {}): Promise<boolean> {
  if (webBuildIsCurrent()) return false;
  const started = Date.now();
  const hash = webSourceHash();
  const { build } = await import('vite');
  await build({ root: WEB_ROOT, configFile: join(WEB_ROOT, 'vite.config.ts'), logLevel: 'warn' });
  precompress(join(WEB_DIST, 'assets'));
  writeFileSync(join(WEB_DIST, BUILD_STAMP), `${hash}\n`);
  log(`web app built in ${Date.now() - started} ms (web/dist)`);
  return true;
}

/** .br and .gz siblings of the text assets, which @fastify/static sends to browsers that accept them. */
function precompress(dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    if (!/\.(js|css|svg|json)$/.test(name)) continue;
    const body = readFileSync(join(dir, name));
    writeFileSync(join(dir, `${name}.br`), brotliCompressSync(body));
    writeFileSync(join(dir, `${name}.gz`), gzipSync(body, { level: 9 }));
  }
}
