import { assertNever, type Decider } from '../decider/decider';
import type { SourcedStream } from '../decider/stream';
import type { EventSchema, ListsEvery } from '../decider/upcast';

/**
 * Webhook registrations, all on one stream (`notification-webhooks`), in the order they were made: the
 * notification service asks for the webhooks registered before an event's position, so the stream is read in
 * order (services/notification/src/webhook-registry.ts). A webhook id is registered at most once.
 */
export interface WebhookRegisteredData {
  id: string;
  url: string;
  /** message kinds, or '*' */
  events: string[];
  /** the subtree whose messages it receives */
  orgUnit: string;
  /** signs each delivery (HMAC) */
  secret: string;
  createdBy: string;
}

export type WebhookRegistered = { type: 'tally.notification.webhook-registered'; data: WebhookRegisteredData };
export type WebhookEvent = WebhookRegistered;

export const WEBHOOK_EVENT_TYPES = ['tally.notification.webhook-registered'] as const satisfies readonly WebhookEvent['type'][];
export const WEBHOOK_EVENT_TYPES_COMPLETE: ListsEvery<WebhookEvent['type'], typeof WEBHOOK_EVENT_TYPES> = true;
export const WEBHOOK_EVENT_SCHEMA: EventSchema<WebhookEvent> = { types: WEBHOOK_EVENT_TYPES };

export const WEBHOOKS_STREAM = 'notification-webhooks';

/** webhook id -> registration */
export type WebhooksState = Readonly<Record<string, WebhookRegisteredData>>;

export type RegisterWebhook = { type: 'RegisterWebhook'; data: WebhookRegisteredData };

export function evolveWebhooks(state: WebhooksState, event: WebhookEvent): WebhooksState {
  switch (event.type) {
    case 'tally.notification.webhook-registered':
      return state[event.data.id] ? state : { ...state, [event.data.id]: event.data };
    default:
      return assertNever(event.type, 'webhook event');
  }
}

export const webhooksStream = {
  schema: WEBHOOK_EVENT_SCHEMA,
  initialState: (): WebhooksState => ({}),
  evolve: evolveWebhooks,
} satisfies SourcedStream<WebhooksState, WebhookEvent>;

/** Registering an id that is registered already records nothing (a retried request). */
export const webhooksDecider = {
  ...webhooksStream,
  decide: ({ data }: RegisterWebhook, state: WebhooksState): WebhookEvent[] => (state[data.id] ? [] : [{ type: 'tally.notification.webhook-registered', data }]),
} satisfies Decider<RegisterWebhook, WebhookEvent, WebhooksState>;
