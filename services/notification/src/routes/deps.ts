import type { CatalogQuery, HierarchyQuery } from '@tally/contracts';
import { vietnamDateOf } from '@tally/core';
import type { EventStore } from '@tally/eventstore';
import type { Dispatcher } from '../dispatcher';
import { project } from '../projections';
import type { NotificationSettings } from '../settings';
import type { Stores } from '../stores';
import type { WebhookRegistry } from '../webhook-registry';

/** What the notification routes read and write. */
export interface RouteDeps {
  store: EventStore;
  stores: Stores;
  hierarchy: HierarchyQuery;
  catalog: CatalogQuery;
  settings: NotificationSettings;
  dispatcher: () => Dispatcher | null;
  webhooks: WebhookRegistry;
  clock: () => Date;
  nudgeRelay: () => void;
}

/** The hierarchy version in force today in Vietnam: the map a unit named in a request belongs to. */
export const currentHierarchyVersion =
  (deps: RouteDeps) =>
  (): Promise<string> =>
    deps.hierarchy.versionFor(vietnamDateOf(deps.clock()));

/**
 * A stream of the service's own (a task, an account's preferences) projected at once after a command, so the next
 * GET reads it, as a message read is (inbox.ts): the events are the record, and the consumer writes the same again,
 * each write guarded by the stream's version.
 */
export async function projectStreamNow(deps: RouteDeps, streamId: string): Promise<void> {
  for (const e of await deps.store.readStream(streamId)) await project(deps.stores, e);
}
