// A real Chromium for the browser tests, from the cheapest source available (like Kafka and FerretDB):
//   1. TALLY_CHROMIUM: a browser binary given by the environment
//   2. a system Chromium (/usr/bin/chromium: Debian's `chromium` package; also chromium-browser, google-chrome)
//   3. as root with apt: `apt-get install chromium` (Debian's package, from the distribution's registry)
//   4. the npm package @sparticuz/chromium (ships its binary), installed into .cache/chromium-npm
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cacheDir, log, run } from './process';

/** Flags for a headless, quiet browser in a container (no sandbox: CI runs as root; no network besides the page's). */
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

const SYSTEM_BINARIES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

const systemChromium = (): string | undefined => SYSTEM_BINARIES.find((p) => existsSync(p));

let pending: Promise<string> | undefined;

/** The path of a Chromium binary, installing one when none is present. */
export function ensureChromium(): Promise<string> {
  pending ??= findOrInstall();
  return pending;
}

async function findOrInstall(): Promise<string> {
  const fromEnv = process.env.TALLY_CHROMIUM;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`TALLY_CHROMIUM=${fromEnv} does not exist`);
    return fromEnv;
  }
  const found = systemChromium();
  if (found) return found;
  const errors: string[] = [];
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    try {
      log('installing Chromium with apt-get (Debian package chromium)…');
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      await run('apt-get', ['update'], { env });
      await run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { env });
      const installed = systemChromium();
      if (installed) return installed;
      errors.push('apt-get installed chromium but no binary was found');
    } catch (err) {
      errors.push(`apt-get: ${(err as Error).message.slice(0, 500)}`);
    }
  }
  try {
    return await sparticuzChromium();
  } catch (err) {
    errors.push(`@sparticuz/chromium: ${(err as Error).message.slice(0, 500)}`);
  }
  throw new Error(`no Chromium for the browser tests; install the Debian package chromium or set TALLY_CHROMIUM.\n${errors.join('\n')}`);
}

/** @sparticuz/chromium (a brotli-packed Chromium for Linux x64 inside the npm package) in .cache/chromium-npm. */
export async function sparticuzChromium(): Promise<string> {
  const dir = join(cacheDir(), 'chromium-npm');
  const manifest = join(dir, 'node_modules', '@sparticuz', 'chromium', 'package.json');
  if (!existsSync(manifest)) {
    mkdirSync(dir, { recursive: true });
    log('installing @sparticuz/chromium from npm into .cache/chromium-npm…');
    await run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', dir, '@sparticuz/chromium@^153']);
  }
  const require = createRequire(join(dir, 'package.json'));
  const entry = require.resolve('@sparticuz/chromium');
  const mod = (await import(pathToFileURL(entry).href)) as { default: { executablePath(): Promise<string> } };
  return mod.default.executablePath();
}
