import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The web app: plain TypeScript + Preact (JSX through esbuild, no plugin), hash routes, no remote resource.
 * `@core` is packages/core/src: the form checks the catalog's validation rules with the platform's own formula code.
 * `pnpm --filter @tally/web dev` proxies the API to a running `pnpm start`.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  resolve: { alias: { '@core': fileURLToPath(new URL('../packages/core/src', import.meta.url)) } },
  build: { outDir: 'dist', assetsDir: 'assets', emptyOutDir: true, target: 'es2020', sourcemap: false, reportCompressedSize: false },
  server: { proxy: { '/api': 'http://localhost:8080', '/health': 'http://localhost:8080' } },
});
