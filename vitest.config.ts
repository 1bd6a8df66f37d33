import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // the web app's code imports packages/core as @core (web/vite.config.ts); its unit tests run here too
  resolve: { alias: { '@core': fileURLToPath(new URL('./packages/core/src', import.meta.url)) } },
  test: {
    include: ['packages/*/test/**/*.spec.ts', 'services/*/test/**/*.spec.ts', 'test/**/*.spec.ts', 'web/test/**/*.spec.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // 2 cores, and several suites start six service processes, a broker restart or a benchmark: one file at a
    // time keeps them from starving each other (parallel runs made Kafka-heavy suites time out)
    maxWorkers: 1,
    minWorkers: 1,
    pool: 'forks',
    // real Kafka and FerretDB for the integration suites (env, testcontainers or local processes)
    globalSetup: ['packages/testkit/src/infra/global-setup.ts'],
  },
});
