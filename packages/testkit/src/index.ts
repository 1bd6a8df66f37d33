/**
 * Test and benchmark infrastructure: real Kafka and MongoDB-compatible servers (env, testcontainers or local
 * processes), the seeded workload generator. The port conformance suites (which import vitest) are a
 * separate entry: `@tally/testkit/conformance`.
 */
export * from './infra/index';
export * from './workload/index';
