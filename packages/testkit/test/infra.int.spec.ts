// Smoke test of the infrastructure harness: a real Kafka round trip and a Mongo write + read.
// Values come from packages/testkit/src/infra/global-setup.ts; skipped when TALLY_SKIP_INFRA=1.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { describe, expect, inject, it } from 'vitest';
import '../src/infra/provided-context';

// `?? ...`: undefined at run time when the config lacks the globalSetup; then the tests skip.
const brokers = inject('kafkaBrokers') ?? [];
const mongoUrl = inject('mongoUrl') ?? '';

describe.skipIf(brokers.length === 0)('kafka', () => {
  it('creates a 3-partition topic, produces and consumes a keyed message', async () => {
    const kafka = new Kafka({ clientId: 'infra-smoke', brokers, logLevel: logLevel.WARN });
    const topic = `smoke-${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true })).toBe(true);
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(meta.topics[0]?.partitions).toHaveLength(3);
    } finally {
      await admin.disconnect();
    }

    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'stream-1', value: 'hello', headers: { type: 'smoke' } }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `smoke-${randomUUID()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      const received = new Promise<{ key: string; value: string; type: string }>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) =>
            resolve({ key: String(message.key), value: String(message.value), type: String(message.headers?.type) }),
        });
      });
      expect(await received).toEqual({ key: 'stream-1', value: 'hello', type: 'smoke' });
    } finally {
      await consumer.disconnect();
    }
  });
});

describe.skipIf(mongoUrl === '')('mongo', () => {
  it('writes and reads a document', async () => {
    const client = new MongoClient(mongoUrl);
    await client.connect();
    try {
      const col = client.db(`smoke_${Date.now()}`).collection<{ _id: string; n: number }>('docs');
      await col.insertOne({ _id: 'a', n: 1 });
      await col.updateOne({ _id: 'a' }, { $inc: { n: 1 } });
      expect(await col.findOne({ _id: 'a' })).toEqual({ _id: 'a', n: 2 });
      expect(await col.countDocuments({})).toBe(1);
    } finally {
      await client.close();
    }
  });
});
