import type { EventBus, OutgoingMessage } from '@tally/eventbus';
import type { EventStore } from '@tally/eventstore';
import type { Collection, ReadStore } from '@tally/readstore';
import { ROOT_CONTEXT, SpanKind, inSpan, linksOf, tracingEnabled } from './tracing';

/**
 * Spans around the two writes every report goes through, added by wrapping the ports where the host wires
 * them (the adapters stay unaware of tracing). Without tracing the ports are returned as they are.
 */
/** A proxy of target whose `method` is `wrapped`; every other member as it is (bound to target). */
export function intercept<T extends object>(target: T, method: keyof T & string, wrapped: unknown): T {
  return new Proxy(target, {
    get(t, prop) {
      if (prop === method) return wrapped;
      const value = Reflect.get(t, prop, t) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}

export function tracedEventStore(store: EventStore): EventStore {
  if (!tracingEnabled()) return store;
  const append: EventStore['append'] = (streamId, events, expectedVersion) =>
    inSpan('eventstore.append', { attributes: { 'tally.stream': streamId, 'tally.events': events.length } }, () => store.append(streamId, events, expectedVersion));
  return intercept(store, 'append', append);
}

export function tracedEventBus(bus: EventBus): EventBus {
  if (!tracingEnabled()) return bus;
  // the relay publishes batches gathered from many requests: a root span linked to each cause
  const publish = (topic: string, messages: OutgoingMessage[]) =>
    inSpan(
      `publish ${topic}`,
      { kind: SpanKind.PRODUCER, parent: ROOT_CONTEXT, links: linksOf(messages.map((m) => m.headers?.traceparent)), attributes: { 'messaging.destination.name': topic, 'messaging.batch.message_count': messages.length } },
      () => bus.publish(topic, messages),
    );
  return intercept(bus, 'publish', publish);
}

const WRITES = ['put', 'update', 'updateMany', 'delete'] as const;

/** Spans around every read-model write (MongoDB in distributed mode), inside the consumer span that caused it. */
export function tracedReadStore(store: ReadStore, system: 'mongodb' | 'sqlite'): ReadStore {
  if (!tracingEnabled()) return store;
  const collection = (name: string): Collection => {
    const inner = store.collection(name);
    return new Proxy(inner, {
      get(t, prop) {
        const value = Reflect.get(t, prop, t) as unknown;
        if (typeof value !== 'function') return value;
        const method = (value as (...a: unknown[]) => Promise<unknown>).bind(t);
        if (!(WRITES as readonly (string | symbol)[]).includes(prop)) return method;
        return (...args: unknown[]) => inSpan(`readstore.${String(prop)} ${name}`, { kind: SpanKind.CLIENT, attributes: { 'db.system.name': system, 'db.collection.name': name } }, () => method(...args));
      },
    });
  };
  return intercept(store, 'collection', collection);
}
