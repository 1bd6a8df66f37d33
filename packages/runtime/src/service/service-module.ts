import type { EventBus } from '@tally/eventbus';
import type { EventStore } from '@tally/eventstore';
import type { ReadStore } from '@tally/readstore';
import type { FastifyPluginAsync } from 'fastify';
import type { TallyConfig } from '../config';
import type { EventConsumer } from '../consumer/event-consumer';
import type { Logger } from '../logger';

/** The ports a service is given. It cannot tell which adapters are behind them. */
export interface Platform {
  store: EventStore;
  bus: EventBus;
  readStore: ReadStore;
  logger: Logger;
  config: TallyConfig;
  /** wakes the relay after an append in this process (a no-op where the relay runs elsewhere) */
  nudgeRelay: () => void;
}

/** Every service has the same inner shape: routes, consumers, start and stop. */
export interface ServiceModule {
  readonly name: string;
  /** HTTP routes, registered under /api/v1 */
  readonly routes?: FastifyPluginAsync;
  start(): Promise<void>;
  stop(): Promise<void>;
  consumers(): EventConsumer[];
  /** collection-name prefix of this service's read models (dropped by a rebuild) */
  readonly readModelPrefix?: string;
}
