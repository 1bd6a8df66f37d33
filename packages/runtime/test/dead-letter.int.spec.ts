// Integration: poison events on a real Kafka broker (testkit's global setup provides it).
import { describe, inject } from 'vitest';
import { createKafkaEventBus, namespacedEventBus } from '@tally/eventbus';
import { uniqueSuffix } from '@tally/testkit/conformance';
import { deadLetterCases } from './dead-letter-cases';

const brokers = inject('kafkaBrokers');

describe.skipIf(brokers.length === 0)('poison events on Kafka (real broker)', () => {
  deadLetterCases(async () => {
    const kafka = createKafkaEventBus({
      brokers,
      clientId: `tally-test-${uniqueSuffix()}`,
      consumer: { sessionTimeoutMs: 6_000, rebalanceTimeoutMs: 3_000, heartbeatIntervalMs: 300, maxWaitTimeMs: 100 },
      retryInitialMs: 20,
      retryMaxMs: 200,
    });
    // topics and groups of this test only (the dead-letter topic included)
    return { bus: namespacedEventBus(kafka, `dlq-${uniqueSuffix()}.`), close: () => kafka.close() };
  }, 30_000);
});
