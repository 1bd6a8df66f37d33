import { Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs';
import { partitionFor, type EventBus, type OutgoingMessage, type SubscribeOptions, type Subscription, type TopicSpec } from '../port';
import { kafkaLogCreator, type KafkaBusLogger } from './kafka-logging';
import { KafkaSubscription, type KafkaSubscriptionSettings } from './kafka-subscription';

export interface KafkaEventBusOptions {
  brokers: string[];
  clientId: string;
  /** kafkajs's own log lines go here (INFO as debug); without one kafkajs stays silent */
  logger?: KafkaBusLogger;
  /** replication factor of topics created by ensureTopics; default 1 (a single broker) */
  replicationFactor?: number;
  /** consumer group timing; the defaults suit production, tests lower them */
  consumer?: {
    /** default 30 s (the broker refuses less than its group.min.session.timeout.ms, 6 s by default) */
    sessionTimeoutMs?: number;
    /** how long the coordinator waits for members to rejoin during a rebalance; default 60 s */
    rebalanceTimeoutMs?: number;
    /** default 3 s */
    heartbeatIntervalMs?: number;
    /** longest fetch wait when there is nothing to read; bounds how fast stop() and rebalances are noticed; default 1 s */
    maxWaitTimeMs?: number;
    /** how long subscribe() waits to join the group; default 120 s */
    joinTimeoutMs?: number;
  };
  /** first retry delay of a failing batch, doubled per attempt up to retryMaxMs; defaults 100 ms and 30 s */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** kafkajs connection/request timeouts; defaults 3 s and 30 s */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

/**
 * The distributed event bus on Apache Kafka (kafkajs).
 *
 * - Producer: idempotent (acks=all, one request in flight, retried until accepted), so a retry after a broker
 *   restart never duplicates or reorders a partition's messages. Keys are placed with the port's `partitionFor`
 *   (murmur2, as Kafka's Java default partitioner), explicitly, so the embedded and Kafka buses agree.
 * - Consumers: one kafkajs consumer (one group member) per subscribe(); see KafkaSubscription.
 * - Topics are never auto-created: ensureTopics creates them with explicit partition counts; an existing topic keeps
 *   its partition count (changing it would move keys to other partitions).
 */
export class KafkaEventBus implements EventBus {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly partitionCounts = new Map<string, number>();
  private readonly subscriptions = new Set<KafkaSubscription>();
  private readonly settings: KafkaSubscriptionSettings;
  private connected: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly options: KafkaEventBusOptions) {
    if (!options.brokers?.length) throw new TypeError('KafkaEventBus needs at least one broker');
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: options.connectionTimeoutMs ?? 3_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      // generous: a broker restart takes seconds to tens of seconds
      retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 10 },
      ...(options.logger
        ? { logLevel: logLevel.INFO, logCreator: kafkaLogCreator(options.logger) }
        : { logLevel: logLevel.NOTHING }),
    });
    this.producer = this.kafka.producer({
      // every message carries its partition (partitionFor, murmur2 as Kafka's Java client): the partitioner
      // never runs; naming one only stops kafkajs from warning about its v2 default
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // idempotent: retried (MAX_SAFE_INTEGER times) until the broker accepts, without duplicates
      retry: { initialRetryTime: 100, maxRetryTime: 5_000, retries: Number.MAX_SAFE_INTEGER },
    });
    this.admin = this.kafka.admin();
    const c = options.consumer ?? {};
    this.settings = {
      retryInitialMs: options.retryInitialMs ?? 100,
      retryMaxMs: options.retryMaxMs ?? 30_000,
      heartbeatIntervalMs: c.heartbeatIntervalMs ?? 3_000,
      joinTimeoutMs: c.joinTimeoutMs ?? 120_000,
      firstFetchTimeoutMs: 2 * (c.maxWaitTimeMs ?? 1_000) + 5_000,
    };
  }

  /** Connects the producer and the admin client (called lazily by every operation). */
  connect(): Promise<void> {
    this.assertOpen();
    this.connected ??= Promise.all([this.producer.connect(), this.admin.connect()]).then(
      () => undefined,
      (error: unknown) => {
        this.connected = null;
        throw error;
      },
    );
    return this.connected;
  }

  async ensureTopics(topics: TopicSpec[]): Promise<void> {
    for (const t of topics) {
      if (!TOPIC_NAME.test(t.name)) throw new TypeError(`invalid topic name "${t.name}"`);
      if (!Number.isSafeInteger(t.partitions) || t.partitions < 1) throw new TypeError(`invalid partition count for ${t.name}`);
    }
    await this.connect();
    const existing = new Set(await this.admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length > 0) {
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: this.options.replicationFactor ?? 1,
        })),
      });
    }
    await this.refreshPartitionCounts(topics.map((t) => t.name));
  }

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    await this.connect();
    const partitions = await this.partitions(topic);
    const encoded = messages.map((m) => {
      if (typeof m.key !== 'string') throw new TypeError('message key must be a string');
      const value = JSON.stringify(m.value);
      if (value === undefined) throw new TypeError('message value must be JSON-serializable');
      return { key: m.key, value, partition: partitionFor(m.key, partitions), headers: m.headers ?? {} };
    });
    if (encoded.length === 0) return;
    await this.producer.send({ topic, acks: -1, messages: encoded });
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    if (!options.groupId) throw new TypeError('groupId is required');
    if (options.topics.length === 0) throw new TypeError('subscribe needs at least one topic');
    await this.connect();
    for (const topic of options.topics) await this.partitions(topic); // unknown topic: fail now, not in the loop
    const c = this.options.consumer ?? {};
    const createConsumer = () => this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: c.sessionTimeoutMs ?? 30_000,
      rebalanceTimeout: c.rebalanceTimeoutMs ?? 60_000,
      heartbeatInterval: c.heartbeatIntervalMs ?? 3_000,
      maxWaitTimeInMs: c.maxWaitTimeMs ?? 1_000,
      allowAutoTopicCreation: false,
      // after the retries kafkajs crashes the consumer and restarts it (restartOnFailure defaults to yes); a crash it
      // does not restart makes the subscription relaunch a new consumer
      retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 10 },
    });
    const subscription = new KafkaSubscription(createConsumer, this.admin, options, this.settings, (s) => this.subscriptions.delete(s));
    this.subscriptions.add(subscription);
    try {
      await subscription.start();
    } catch (error) {
      this.subscriptions.delete(subscription);
      throw error;
    }
    return subscription;
  }

  /**
   * Forgets the group's committed offsets for these topics. The group must have no running member. When the group
   * has offsets only for these topics it is deleted (fast); otherwise each topic is set back to its log start.
   */
  async resetGroup(groupId: string, topics: string[]): Promise<void> {
    await this.connect();
    const all = (await this.admin.listTopics()).filter((t) => !t.startsWith('__'));
    const offsets = all.length > 0 ? await this.admin.fetchOffsets({ groupId, topics: all }) : [];
    const withOffsets = offsets.filter((t) => t.partitions.some((p) => Number(p.offset) >= 0)).map((t) => t.topic);
    if (withOffsets.length === 0) return;
    const wanted = new Set(topics);
    if (withOffsets.every((t) => wanted.has(t))) {
      try {
        await this.admin.deleteGroups([groupId]);
      } catch (error) {
        const groups = (error as { groups?: Array<{ errorCode?: number; error?: { type?: string } }> }).groups ?? [];
        if (groups.length > 0 && groups.every((g) => g.error?.type === 'GROUP_ID_NOT_FOUND')) return;
        throw new Error(`cannot reset consumer group ${groupId} (it must have no running member): ${String((error as Error).message)}`, {
          cause: error,
        });
      }
      return;
    }
    for (const topic of topics.filter((t) => withOffsets.includes(t))) {
      const starts = await this.admin.fetchTopicOffsets(topic);
      await this.admin.setOffsets({ groupId, topic, partitions: starts.map((p) => ({ partition: p.partition, offset: p.low })) });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.allSettled([...this.subscriptions].map((s) => s.stop()));
    this.closed = true;
    if (this.connected) {
      await this.connected.catch(() => undefined);
      await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
    }
  }

  /** Partition count of a topic, cached; throws for an unknown topic. */
  private async partitions(topic: string): Promise<number> {
    const cached = this.partitionCounts.get(topic);
    if (cached !== undefined) return cached;
    await this.refreshPartitionCounts([topic]);
    const count = this.partitionCounts.get(topic);
    if (count === undefined) throw new Error(`unknown topic "${topic}": call ensureTopics first`);
    return count;
  }

  private async refreshPartitionCounts(topics: string[]): Promise<void> {
    const existing = new Set(await this.admin.listTopics());
    const known = topics.filter((t) => existing.has(t));
    if (known.length === 0) return;
    const { topics: meta } = await this.admin.fetchTopicMetadata({ topics: known });
    for (const t of meta) if (t.partitions.length > 0) this.partitionCounts.set(t.name, t.partitions.length);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('KafkaEventBus is closed');
  }
}

export function createKafkaEventBus(options: KafkaEventBusOptions): KafkaEventBus {
  return new KafkaEventBus(options);
}
