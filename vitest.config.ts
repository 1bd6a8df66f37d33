import { defineConfig } from 'vitest/config';

export default defineConfig({
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
