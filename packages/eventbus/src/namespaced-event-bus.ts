import type { EventBus, PartitionLag, Subscription } from './port';

/**
 * Puts every topic and consumer group of a deployment under a prefix, so several deployments (or test runs)
 * can share one broker without seeing each other's messages. Works with any adapter.
 */
export function namespacedEventBus(bus: EventBus, namespace: string): EventBus {
  if (!namespace) return bus;
  const t = (topic: string) => `${namespace}${topic}`;
  const g = (group: string) => `${namespace}${group}`;
  const strip = (topic: string) => (topic.startsWith(namespace) ? topic.slice(namespace.length) : topic);
  return {
    ensureTopics: (topics) => bus.ensureTopics(topics.map((x) => ({ ...x, name: t(x.name) }))),
    publish: (topic, messages) => bus.publish(t(topic), messages),
    async subscribe(options) {
      const inner = await bus.subscribe({
        ...options,
        groupId: g(options.groupId),
        topics: options.topics.map(t),
        handle: (batch) => options.handle(batch.map((m) => ({ ...m, topic: strip(m.topic) }))),
      });
      const subscription: Subscription = {
        groupId: options.groupId,
        stop: () => inner.stop(),
        lag: async (): Promise<PartitionLag[]> => (await inner.lag()).map((l) => ({ ...l, topic: strip(l.topic) })),
      };
      return subscription;
    },
    resetGroup: (groupId, topics) => bus.resetGroup(g(groupId), topics.map(t)),
    close: () => bus.close(),
  };
}
