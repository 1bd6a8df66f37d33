import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { topicSpecs } from '@tally/contracts';
import { createKafkaEventBus, namespacedEventBus, openSqliteEventBus, type EventBus } from '@tally/eventbus';
import { EMBEDDED_LEASE_TTL_MS, DEFAULT_LEASE_TTL_MS, createMongoEventStore, openSqliteEventStore, RelayLease, startRelay, type EventStore, type Relay, type SqliteEventStoreOptions } from '@tally/eventstore';
import { createMongoReadStore, openSqliteReadStore, type ReadStore } from '@tally/readstore';
import type { TallyConfig } from '../config';
import type { Logger } from '../logger';
import type { Platform } from '../service/service-module';
import { tracedEventBus, tracedEventStore, tracedReadStore } from '../observability/traced-ports';
import { flushBeforeCommit } from './flush-before-commit';

/**
 * Picks the adapters: Kafka + MongoDB when KAFKA_BROKERS and MONGO_URL are set (distributed mode),
 * otherwise the embedded SQLite files under the data directory. The services never know which.
 */
export interface OpenedPlatform {
  platform: Platform;
  relay: Relay | null;
  close(): Promise<void>;
}

export async function openPlatform(
  config: TallyConfig,
  logger: Logger,
  options: { runRelay: boolean; /** the SQLite files whatever KAFKA_BROKERS and MONGO_URL say (`pnpm start`) */ embedded?: boolean },
): Promise<OpenedPlatform> {
  let store: EventStore;
  let bus: EventBus;
  let readStore: ReadStore;
  const distributed = !options.embedded && config.kafkaBrokers.length > 0 && !!config.mongoUrl;
  if (distributed && config.mongoUrl) {
    store = await createMongoEventStore({ url: config.mongoUrl, dbName: config.mongoDb });
    readStore = await createMongoReadStore({ url: config.mongoUrl, dbName: config.mongoDb });
    bus = namespacedEventBus(await createKafkaEventBus({
        brokers: config.kafkaBrokers,
        clientId: `tally-${config.instanceId}`,
        logger,
        consumer: { sessionTimeoutMs: config.kafkaSessionTimeoutMs, heartbeatIntervalMs: Math.max(500, Math.floor(config.kafkaSessionTimeoutMs / 5)), rebalanceTimeoutMs: 2 * config.kafkaSessionTimeoutMs },
      }), config.kafkaNamespace);
  } else {
    mkdirSync(config.dataDir, { recursive: true });
    const sqlite = sqliteOptions(config, logger);
    store = openSqliteEventStore(join(config.dataDir, 'events.db'), sqlite);
    bus = openSqliteEventBus(join(config.dataDir, 'bus.db'), sqlite);
    readStore = openSqliteReadStore(join(config.dataDir, 'read.db'), sqlite);
  }
  store = tracedEventStore(store);
  const reads = (readStore = tracedReadStore(readStore, distributed ? 'mongodb' : 'sqlite'));
  bus = flushBeforeCommit(tracedEventBus(bus), () => reads.flush());
  await bus.ensureTopics(topicSpecs(distributed ? 'distributed' : 'embedded'));
  // every process that runs a relay competes for the lease in the store: exactly one publishes at a time
  const relay = options.runRelay ? startRelay({ store, bus, lease: new RelayLease(store, { ttlMs: config.relayLeaseMs ?? (distributed ? DEFAULT_LEASE_TTL_MS : EMBEDDED_LEASE_TTL_MS) }), onError: (err) => logger.error({ err }, 'relay failed; retrying') }) : null;
  const platform: Platform = { store, bus, readStore, logger, config, nudgeRelay: () => relay?.nudge() };
  return {
    platform,
    relay,
    async close() {
      await relay?.stop();
      await bus.close();
      await readStore.close();
      await store.close();
    },
  };
}

/** How the platform opens its SQLite files: checkpointed by a worker thread each unless TALLY_SQLITE_CHECKPOINT=inline. */
export function sqliteOptions(config: Pick<TallyConfig, 'sqliteCheckpoint'>, logger: Logger): Required<Pick<SqliteEventStoreOptions, 'backgroundCheckpoint' | 'onCheckpointError'>> {
  return {
    backgroundCheckpoint: config.sqliteCheckpoint === 'background',
    onCheckpointError: (err) => logger.warn({ err }, 'the SQLite checkpoint worker failed; the file is checkpointed by its own commits from now on'),
  };
}
