/**
 * The event bus: topics partitioned by key, consumer groups with committed offsets,
 * replay from zero. Kafka semantics, whichever adapter is behind it.
 */
export interface OutgoingMessage {
  key: string;
  /** JSON-serializable body (an event envelope) */
  value: unknown;
  headers?: Record<string, string>;
}

export interface BusMessage {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  value: unknown;
  headers: Record<string, string>;
}

export interface TopicSpec {
  name: string;
  partitions: number;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  /** next offset the group will read (= committed offset) */
  committed: number;
  /** offset the next published message will get */
  end: number;
  lag: number;
}

export interface SubscribeOptions {
  groupId: string;
  topics: string[];
  /** where a group with no committed offset starts; default 'earliest' (replay from zero) */
  from?: 'earliest' | 'latest';
  /**
   * Handles a batch of messages from ONE partition, in offset order. Offsets are committed only after
   * it resolves, so a crash means redelivery: handlers must be idempotent. A throw is retried with backoff.
   */
  handle: (batch: BusMessage[]) => Promise<void>;
  /** max messages per batch; default 100 */
  maxBatch?: number;
  /**
   * Batching under load (embedded bus; Kafka batches by its own fetches): a partition gets at most one batch that
   * is not full per `lingerMs` (counted from its previous delivery), so a handler that writes once per batch sees
   * larger batches while messages keep coming. A partition idle for longer is delivered at once. Default 0.
   */
  lingerMs?: number;
  /**
   * Told about every failed attempt (a throwing handler, or the adapter failing to fetch or commit) before the
   * retry; for logging only. The batch is retried with capped exponential backoff until it succeeds or stop().
   */
  onError?: (error: unknown, context: DeliveryErrorContext) => void;
}

export interface DeliveryErrorContext {
  groupId: string;
  topic: string;
  partition: number;
  /** offsets of the failed batch (both -1 when the failure was not in the handler) */
  firstOffset: number;
  lastOffset: number;
  /** 1 for the first failure of this batch */
  attempt: number;
  /** delay before the next attempt */
  retryInMs: number;
}

export interface Subscription {
  readonly groupId: string;
  /** Stops fetching, lets the in-flight batch finish and commit, leaves the group. */
  stop(): Promise<void>;
  /** Per partition: committed offset, end offset and lag, as seen now. */
  lag(): Promise<PartitionLag[]>;
}

export interface EventBus {
  /** Creates the topics with explicit partition counts if they do not exist. */
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  /** Publishes in order; partition = hash(key) mod partitions. Resolves when durably accepted. */
  publish(topic: string, messages: OutgoingMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Forgets a group's committed offsets so that it replays from zero next time it subscribes. */
  resetGroup(groupId: string, topics: string[]): Promise<void>;
  close(): Promise<void>;
}

/** Kafka's default partitioner (murmur2, positive, mod partitions), so both adapters place keys alike. */
export function murmur2(key: string): number {
  const data = Buffer.from(key, 'utf8');
  const length = data.length;
  const seed = 0x9747b28c;
  const m = 0x5bd1e995;
  const r = 24;
  let h = seed ^ length;
  const length4 = Math.floor(length / 4);
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = (data[i4 + 0]! & 0xff) + ((data[i4 + 1]! & 0xff) << 8) + ((data[i4 + 2]! & 0xff) << 16) + ((data[i4 + 3]! & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const tail = length & ~3;
  const rest = length % 4;
  if (rest === 3) h ^= (data[tail + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail]! & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h;
}

export function partitionFor(key: string, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}
