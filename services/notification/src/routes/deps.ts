import type { CatalogQuery, HierarchyQuery } from '@tally/contracts';
import type { EventStore } from '@tally/eventstore';
import type { Dispatcher } from '../dispatcher';
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
