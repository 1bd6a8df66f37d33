import type { EventBus } from '@tally/eventbus';
import { intercept } from '../observability/traced-ports';

/**
 * The bus as every consumer of this process sees it: a batch counts as handled (its offsets may be committed)
 * only once the read store has made the handler's writes durable (`ReadStore.flush`). The embedded read store
 * commits the writes of one event-loop turn together, after its writers have moved on; without this barrier a
 * crash between the bus's offset commit and the store's commit would lose those writes.
 */
export function flushBeforeCommit(bus: EventBus, flush: () => Promise<void>): EventBus {
  const subscribe: EventBus['subscribe'] = (options) =>
    bus.subscribe({
      ...options,
      handle: async (batch) => {
        await options.handle(batch);
        await flush();
      },
    });
  return intercept(bus, 'subscribe', subscribe);
}
