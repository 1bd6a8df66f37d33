import type { EventConsumer } from '../consumer/event-consumer';
import { startEventConsumer } from '../consumer/event-consumer';
import type { Platform } from '../service/service-module';

/**
 * Drops a process's cached copy of another service's data when that data changes: every process
 * reads the topic in a group of its own, so each one hears every change.
 */
export function startCacheInvalidation(platform: Platform, name: string, topic: string, invalidate: () => void): Promise<EventConsumer> {
  return startEventConsumer({
    bus: platform.bus,
    groupId: `${name}.cache.${platform.config.instanceId}`,
    topics: [topic],
    logger: platform.logger,
    handle: async () => invalidate(),
  });
}
