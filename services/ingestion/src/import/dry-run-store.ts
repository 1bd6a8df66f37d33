import type { EventStore } from '@tally/eventstore';

/**
 * The event store as a dry run sees it: every read goes to the real store, an append is decided and checked
 * exactly as it would be but writes nothing. So `dryRun=true` answers what the real import would, through the
 * same code.
 */
export function dryRunStore(store: EventStore): EventStore {
  return {
    append: async (streamId, events) => {
      const version = await store.streamVersion(streamId);
      return { nextVersion: version + events.length, positions: events.map(() => 0) };
    },
    readStream: (id, from) => store.readStream(id, from),
    streamVersion: (id) => store.streamVersion(id),
    readAll: (after, limit) => store.readAll(after, limit),
    headPosition: () => store.headPosition(),
    publishedPosition: () => store.publishedPosition(),
    markPublished: async () => {},
    close: async () => {},
  };
}
