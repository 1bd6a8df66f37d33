import { readEvent, WEBHOOK_EVENT_SCHEMA, WEBHOOKS_STREAM, type WebhookRegisteredData } from '@tally/core';
import type { EventStore } from '@tally/eventstore';

/**
 * Every webhook, read from the log itself: registrations are appended to one stream, `notification-webhooks`,
 * and read here in stream order. The consumer asks for the webhooks registered before an event's position, so
 * a report handled before the registration's own message arrived on the other topic still finds it (a projection
 * fed by another topic could lag behind). The stream (`WEBHOOKS_STREAM`) and its schema are core's
 * (notification/webhooks.ts); it is read here incrementally, each event through the schema (typed, upcast).
 */

export interface RegisteredWebhook extends WebhookRegisteredData {
  position: number;
  createdAt: string;
}

export class WebhookRegistry {
  private readonly hooks = new Map<string, RegisteredWebhook>();
  private version = 0;
  private head = 0;
  /** a refresh happened after the event at this position was stored: registrations before it are known */
  private coveredUpTo = 0;

  constructor(private readonly store: EventStore) {}

  /** Reads registrations appended since the last look. */
  async refresh(): Promise<void> {
    for (const e of await this.store.readStream(WEBHOOKS_STREAM, this.version + 1)) {
      this.version = e.streamVersion;
      const event = readEvent(WEBHOOK_EVENT_SCHEMA, e);
      if (event && !this.hooks.has(event.data.id)) this.hooks.set(event.data.id, { ...event.data, position: e.position, createdAt: e.time });
      this.head = Math.max(this.head, e.position);
    }
  }

  /**
   * Reads registrations appended since the last look, when the events up to `position` are already stored (a
   * consumer handling them): afterwards `before` needs no read for any of them. One read per consumer batch
   * instead of one per event.
   */
  async refreshFor(position: number): Promise<void> {
    if (position <= this.head || position <= this.coveredUpTo) return;
    await this.refresh();
    this.coveredUpTo = Math.max(this.coveredUpTo, position);
  }

  /** The webhooks registered before `position`, the position of a stored event (reads the log when it may know too little). */
  async before(position: number): Promise<RegisteredWebhook[]> {
    await this.refreshFor(position);
    return [...this.hooks.values()].filter((h) => h.position < position);
  }

  async get(id: string): Promise<RegisteredWebhook | undefined> {
    if (!this.hooks.has(id)) await this.refresh();
    return this.hooks.get(id);
  }
}
