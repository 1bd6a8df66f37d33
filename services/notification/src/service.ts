import { TOPICS, type CatalogQuery, type EventContext, type HierarchyQuery, type StoredEvent } from '@tally/contracts';
import { figureCompleteStreamId, readEvent, REPORT_EVENT_SCHEMA, TASK_EVENT_SCHEMA, type FigureCompleteData, type ReportValuesData, type TaskAssignedData } from '@tally/core';
import { markTaskDone, recordNotice } from './commands';
import { observe, startEventConsumer, type EventConsumer, type Platform, type ServiceModule } from '@tally/runtime';
import { startDeadlineScheduler, type DeadlineScheduler } from './deadline-scheduler';
import { startDispatcher, type Dispatcher } from './dispatcher';
import { smtpMailer, type Mailer } from './email';
import { fanOut } from './fan-out';
import { messagesFor } from './messages';
import { project, receivedId } from './projections';
import { notificationRoutes } from './routes';
import { loadNotificationSettings, type NotificationSettings } from './settings';
import { COLLECTIONS, collections, type Stores } from './stores';
import { WebhookRegistry } from './webhook-registry';

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

const REPORT_OR_INDICATOR = /^tally\.(report|indicators)\./;

export function createNotificationService(platform: Platform, deps: NotificationDeps, options: NotificationOptions = {}): NotificationService {
  const settings: NotificationSettings = { ...loadNotificationSettings(), ...options.settings };
  const clock = options.clock ?? (() => new Date());
  const stores: Stores = collections(platform.readStore);
  const consumers: EventConsumer[] = [];
  let scheduler: DeadlineScheduler | null = null;
  let dispatcher: Dispatcher | null = null;
  const expectedCache = new Map<string, Promise<number>>();
  const webhooks = new WebhookRegistry(platform.store);

  const system = (cause: StoredEvent): EventContext => ({ actor: { id: 'system:notification' }, correlationId: cause.correlationId, causationId: cause.id });

  /** A report is in: tasks that wait for it are done; the parent is told when its subtree's figure is complete. */
  async function onReportReceived(e: StoredEvent, d: ReportValuesData, parent: string | null, level: string | null): Promise<void> {
    const keys = await stores.taskKeys.get(`${d.template}|${d.period}|${d.orgUnit}`);
    for (const taskId of Object.keys(keys?.tasks ?? {})) await markDone(e, taskId, d.orgUnit, d.reportId);
    if (!parent || !level) return;
    const id = `${d.template}|${d.period}|${d.hierarchy}|${parent}`;
    await stores.completeness.update(id, { set: { [`units.${d.orgUnit}`]: 1 } });
    const doc = await stores.completeness.get(id);
    const cacheKey = `${d.hierarchy}|${parent}|${level}`;
    let expected = expectedCache.get(cacheKey);
    if (!expected) expectedCache.set(cacheKey, (expected = deps.hierarchy.countAtLevel(d.hierarchy, parent, level)));
    const n = await expected;
    if (!doc || doc.told || Object.keys(doc.units ?? {}).length < n) return;
    const data: FigureCompleteData = { orgUnit: parent, template: d.template, period: d.period, expected: n };
    const stream = figureCompleteStreamId(data);
    // at most once per (template, unit, period): the stream holds the one notice (a redelivery or another replica records nothing)
    if (await recordNotice(platform.store, stream, { type: 'tally.notification.figure-complete', data }, system(e))) platform.nudgeRelay();
    await stores.completeness.update(id, { set: { told: true } });
  }

  /** A task that waits for reports: the units whose report this service has already seen are done (whichever of the two arrives second marks it). */
  async function onTaskAssigned(e: StoredEvent, t: TaskAssignedData): Promise<void> {
    if (!t.template || !t.period) return;
    const received = await stores.received.getMany(t.orgUnits.map((u) => receivedId(t.template!, t.period!, u)));
    for (const r of received) await markDone(e, t.taskId, r.orgUnit, r.reportId);
  }

  async function markDone(cause: StoredEvent, taskId: string, orgUnit: string, reportId: string): Promise<void> {
    if (await markTaskDone(platform.store, taskId, { orgUnit, via: 'report', reportId }, system(cause))) platform.nudgeRelay();
  }

  async function handle(events: StoredEvent[]): Promise<void> {
    for (const e of events) {
      await project(stores, e);
      const data = e.data as { hierarchy?: string; orgUnit?: string };
      const hierarchy = data.hierarchy ?? (await deps.hierarchy.versionFor(e.time.slice(0, 10)));
      const parents = new Map<string, string | null>();
      let level: string | null = null;
      if (data.orgUnit && REPORT_OR_INDICATOR.test(e.type)) {
        const unit = await deps.hierarchy.unit(hierarchy, data.orgUnit);
        parents.set(data.orgUnit, unit?.parentCode ?? null);
        level = unit?.level ?? null;
      }
      const task = readEvent(TASK_EVENT_SCHEMA, e);
      if (task?.type === 'tally.task.assigned') await onTaskAssigned(e, task.data);
      const report = readEvent(REPORT_EVENT_SCHEMA, e);
      if (report?.type === 'tally.report.submitted') await onReportReceived(e, report.data, parents.get(report.data.orgUnit) ?? null, level);
      const messages = messagesFor(e, { parentOf: (code) => parents.get(code) ?? null });
      await fanOut({ stores, hierarchy: deps.hierarchy, webhooks, emailEnabled: !!(options.mailer ?? settings.smtpUrl) }, e, messages, hierarchy);
    }
    dispatcher?.nudge();
  }

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
      const mailer = options.mailer ?? (settings.smtpUrl ? smtpMailer(settings.smtpUrl, settings.mailFrom) : null);
      dispatcher = startDispatcher({ stores, settings, mailer, webhooks, clock, logger: platform.logger, ...(options.random ? { random: options.random } : {}) });
      observe.outbox(async () => ({ pending: await stores.outbox.count({ state: 'pending' }), dead: await stores.outbox.count({ state: 'dead' }) }));
      consumers.push(
        await startEventConsumer({
          bus: platform.bus,
          groupId: 'notification.inbox',
          topics: [TOPICS.reports, TOPICS.indicators, TOPICS.accounts, TOPICS.notifications],
          logger: platform.logger,
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
