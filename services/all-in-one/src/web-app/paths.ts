import { fileURLToPath } from 'node:url';

/** Where the web app's sources are and where Vite writes the built app (never committed: built on demand). */
export const WEB_ROOT = fileURLToPath(new URL('../../../../web/', import.meta.url));
export const WEB_DIST = fileURLToPath(new URL('../../../../web/dist/', import.meta.url));
/** the hash of the sources the dist was built from (see build.ts) */
export const BUILD_STAMP = 'build-stamp.txt';
