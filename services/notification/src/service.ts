import { TOPICS, type CatalogQuery, type HierarchyQuery } from '@tally/contracts';
import { observe, REPORT_CONSUMER_LINGER_MS, startEventConsumer, type EventConsumer, type Platform, type ServiceModule } from '@tally/runtime';
import { startDeadlineScheduler, type DeadlineScheduler } from './deadline-scheduler';
import { listPendingDeliveries, startDispatcher, type Dispatcher } from './dispatcher';
import { smtpMailer, type Mailer } from './email';
import { notificationRoutes } from './routes';
import { loadNotificationSettings, type NotificationSettings } from './settings';
import { COLLECTIONS, collections, type Stores } from './stores';
import { WebhookRegistry } from './webhook-registry';
import { inboxEventHandler } from './inbox-consumer';
import { listAccountsByUnit } from './projections';

/**
 * The notification service: turns events (reports, workflow, validation, targets, tasks, deadlines) into
 * messages in each unit's inbox, and delivers them by e-mail and webhooks through a keyed outbox.
 * See docs/notifications.md.
 */
export { COLLECTIONS, type InboxDoc } from './stores';
export const INBOX = COLLECTIONS.inbox;

export interface NotificationDeps {
  hierarchy: HierarchyQuery;
  catalog: CatalogQuery;
}

export interface NotificationOptions {
  settings?: Partial<NotificationSettings>;
  /** the clock deadlines and retries are computed with (tests pass a fake one); default: the real time */
  clock?: () => Date;
  /** run the deadline check on a timer (default true; TALLY_DEADLINE_CHECK_MS=0 turns it off) */
  scheduleTimer?: boolean;
  /** overrides the SMTP mailer (tests) */
  mailer?: Mailer;
  random?: () => number;
}

export interface NotificationService extends ServiceModule {
  /** the deadline scheduler (null before start) */
  deadlines(): DeadlineScheduler;
  dispatcher(): Dispatcher;
  readonly settings: NotificationSettings;
}

export function createNotificationService(platform: Platform, deps: NotificationDeps, options: NotificationOptions = {}): NotificationService {
  const settings: NotificationSettings = { ...loadNotificationSettings(), ...options.settings };
  const clock = options.clock ?? (() => new Date());
  const stores: Stores = collections(platform.readStore);
  const consumers: EventConsumer[] = [];
  let scheduler: DeadlineScheduler | null = null;
  let dispatcher: Dispatcher | null = null;
  const webhooks = new WebhookRegistry(platform.store);

  const handle = inboxEventHandler({
    platform,
    hierarchy: deps.hierarchy,
    stores,
    webhooks,
    emailEnabled: !!(options.mailer ?? settings.smtpUrl),
    nudgeDispatcher: () => dispatcher?.nudge(),
  });

  const service: NotificationService = {
    name: 'notification',
    readModelPrefix: 'notification_',
    settings,
    routes: notificationRoutes({
      store: platform.store,
      stores,
      hierarchy: deps.hierarchy,
      catalog: deps.catalog,
      settings,
      dispatcher: () => dispatcher,
      webhooks,
      clock,
      nudgeRelay: platform.nudgeRelay,
    }),
    consumers: () => consumers,
    deadlines: () => {
      if (!scheduler) throw new Error('the notification service is not started');
      return scheduler;
    },
    dispatcher: () => {
      if (!dispatcher) throw new Error('the notification service is not started');
      return dispatcher;
    },
    async start() {
      await stores.inbox.ensureIndex(['recipient']);
      await stores.outbox.ensureIndex(['state']);
      await stores.outbox.ensureIndex(['target']);
      await stores.accounts.ensureIndex(['orgUnit']);
      await stores.taskUnits.ensureIndex(['orgUnit']);
      await stores.received.ensureIndex(['template', 'period']);
      await listPendingDeliveries(stores);
      await listAccountsByUnit(stores);
      const mailer = options.mailer ?? (settings.smtpUrl ? smtpMailer(settings.smtpUrl, settings.mailFrom) : null);
      dispatcher = startDispatcher({ stores, settings, mailer, webhooks, clock, logger: platform.logger, ...(options.random ? { random: options.random } : {}) });
      observe.outbox(async () => ({ pending: await stores.outbox.count({ state: 'pending' }), dead: await stores.outbox.count({ state: 'dead' }) }));
      consumers.push(
        await startEventConsumer({
          bus: platform.bus,
          groupId: 'notification.inbox',
          topics: [TOPICS.reports, TOPICS.indicators, TOPICS.accounts, TOPICS.notifications],
          logger: platform.logger,
          lingerMs: REPORT_CONSUMER_LINGER_MS,
          handle,
        }),
      );
      scheduler = startDeadlineScheduler(
        { store: platform.store, catalog: deps.catalog, hierarchy: deps.hierarchy, stores, settings, clock, logger: platform.logger, nudgeRelay: platform.nudgeRelay },
        { timer: (options.scheduleTimer ?? true) && settings.scheduleEveryMs > 0 },
      );
    },
    async stop() {
      scheduler?.stop();
      await Promise.all(consumers.splice(0).map((c) => c.stop()));
      await dispatcher?.stop();
    },
  };
  return service;
}
