import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.spec.ts', 'services/*/test/**/*.spec.ts', 'test/**/*.spec.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // 2 cores: keep parallelism modest so the real-infrastructure tests are not starved
    maxWorkers: 2,
    minWorkers: 1,
    pool: 'forks',
    // real Kafka and FerretDB for the integration suites (env, testcontainers or local processes)
    globalSetup: ['packages/testkit/src/infra/global-setup.ts'],
  },
});
