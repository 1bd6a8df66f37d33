import { TOPICS, type HierarchyQuery } from '@tally/contracts';
import type { Doc } from '@tally/readstore';
import { startEventConsumer, type EventConsumer, type Platform, type ServiceModule } from '@tally/runtime';
import type { FastifyPluginAsync } from 'fastify';
import { messagesFor } from './messages';

/** The notification service: turns events into messages in each unit's inbox. */
export interface InboxDoc extends Doc {
  recipient: string;
  kind: string;
  title: string;
  body: string;
  reportId: string | null;
  eventId: string;
  time: string;
  read: boolean;
}

export const INBOX = 'notification_inbox';

export function createNotificationService(platform: Platform, deps: { hierarchy: HierarchyQuery }): ServiceModule {
  const inbox = platform.readStore.collection<InboxDoc>(INBOX);
  const consumers: EventConsumer[] = [];
  const routes: FastifyPluginAsync = async (app) => {
    app.get(
      '/inbox',
      {
        schema: {
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['orgUnit'],
            properties: { orgUnit: { type: 'string', pattern: '^(VN|[0-9]{2,5})$' }, limit: { type: 'string', pattern: '^[0-9]{1,4}$' } },
          },
        },
      },
      async (request) => {
        const q = request.query as { orgUnit: string; limit?: string };
        const rows = await inbox.find({ recipient: q.orgUnit }, { sort: { time: -1 }, limit: Math.min(Number(q.limit ?? 100), 1000) });
        return { orgUnit: q.orgUnit, messages: rows.map(({ _id, ...m }) => ({ id: _id, ...m })) };
      },
    );
  };

  return {
    name: 'notification',
    readModelPrefix: 'notification_',
    routes,
    consumers: () => consumers,
    async start() {
      await inbox.ensureIndex(['recipient']);
      consumers.push(
        await startEventConsumer({
          bus: platform.bus,
          groupId: 'notification.inbox',
          topics: [TOPICS.reports, TOPICS.indicators],
          logger: platform.logger,
          handle: async (events) => {
            for (const e of events) {
              const data = e.data as { hierarchy?: string; orgUnit?: string };
              const hierarchy = data.hierarchy ?? (await deps.hierarchy.versionFor(e.time.slice(0, 10)));
              const parents = new Map<string, string | null>();
              if (data.orgUnit) parents.set(data.orgUnit, (await deps.hierarchy.unit(hierarchy, data.orgUnit))?.parentCode ?? null);
              const messages = messagesFor(e, (code) => parents.get(code) ?? null);
              // one message per (event, recipient): a redelivery writes the same id and changes nothing
              await inbox.updateMany(
                messages.map((m) => ({
                  id: `${e.id}|${m.recipient}`,
                  update: {
                    setOnInsert: { recipient: m.recipient, kind: m.kind, title: m.title, body: m.body, reportId: m.reportId ?? null, eventId: e.id, time: e.time, read: false },
                  },
                })),
              );
            }
          },
        }),
      );
    },
    async stop() {
      await Promise.all(consumers.splice(0).map((c) => c.stop()));
    },
  };
}
