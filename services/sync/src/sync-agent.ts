import type { StoredEvent } from '@tally/contracts';
import { dueUpstream, isDownstreamOwned, lagOf, type UpMode } from '@tally/core';
import type { EventStore } from '@tally/eventstore';
import type { Logger } from '@tally/runtime';
import type { SyncCursors, Direction } from './cursors';
import { mirrorEvent } from './mirror-event';
import type { UpstreamClient } from './upstream-client';

export interface DirectionStatus {
  cursor: number;
  /** positions of the source log not yet applied */
  lag: number;
  /** the source log's head when last seen */
  sourceHead: number;
  lastSyncAt: string | null;
  lastError: { message: string; at: string } | null;
}

export interface SyncAgentOptions {
  store: EventStore;
  cursors: SyncCursors;
  upstream: UpstreamClient;
  mode: UpMode;
  logger: Logger;
  nudgeRelay: () => void;
  batchSize?: number;
}

/**
 * A linked deployment's two flows, each from its cursor:
 * - down: the upstream's catalog versions, hierarchy changes and targets, mirrored into the local log (the local
 *   services apply them like their own events);
 * - up: the local report events (every version, or a report's history once approved), in log order, mirrored by
 *   the upstream into its log with their original envelopes.
 * Each batch is applied, then the cursor moves; a cut leaves the cursor where the last applied batch ended, and the
 * resent part of a batch is found to be duplicates. One run at a time.
 */
export class SyncAgent {
  private running: Promise<void> | null = null;
  private readonly status: Record<Direction, DirectionStatus> = {
    down: { cursor: 0, lag: 0, sourceHead: 0, lastSyncAt: null, lastError: null },
    up: { cursor: 0, lag: 0, sourceHead: 0, lastSyncAt: null, lastError: null },
  };

  constructor(private readonly o: SyncAgentOptions) {}

  /** Runs both directions until each is caught up (or fails; the error is kept in the status and thrown). */
  syncOnce(): Promise<void> {
    this.running ??= this.run().finally(() => (this.running = null));
    return this.running;
  }

  async statusNow(): Promise<Record<Direction, DirectionStatus> & { mode: UpMode }> {
    const head = await this.o.store.headPosition();
    const up = { ...this.status.up, cursor: await this.o.cursors.get('up'), sourceHead: head };
    const down = { ...this.status.down, cursor: await this.o.cursors.get('down') };
    return { down: { ...down, lag: lagOf(down.sourceHead, down.cursor) }, up: { ...up, lag: lagOf(head, up.cursor) }, mode: this.o.mode };
  }

  private async run(): Promise<void> {
    let failure: unknown;
    for (const [direction, step] of [
      ['down', () => this.down()],
      ['up', () => this.up()],
    ] as const) {
      try {
        while (await step()) {
          /* until caught up */
        }
        this.status[direction].lastSyncAt = new Date().toISOString();
        this.status[direction].lastError = null;
      } catch (err) {
        this.status[direction].lastError = { message: (err as Error).message, at: new Date().toISOString() };
        this.o.logger.warn({ err, direction }, 'sync failed; it resumes from its cursor');
        failure ??= err;
      }
    }
    if (failure) throw failure;
  }

  /** One batch down; true when there may be more. */
  private async down(): Promise<boolean> {
    const cursor = await this.o.cursors.get('down');
    const batch = await this.o.upstream.pull(cursor, this.o.batchSize ?? 500);
    this.status.down.sourceHead = batch.head;
    let appended = 0;
    for (const e of batch.events) {
      if (!isDownstreamOwned(e.type)) continue;
      if ((await mirrorEvent(this.o.store, e)) === 'appended') appended += 1;
    }
    if (appended > 0) this.o.nudgeRelay();
    if (batch.next > cursor) await this.o.cursors.advance('down', batch.next);
    return batch.next > cursor && batch.next < batch.head;
  }

  /** One batch up; true when there may be more. */
  private async up(): Promise<boolean> {
    const cursor = await this.o.cursors.get('up');
    const limit = this.o.batchSize ?? 500;
    const read = await this.o.store.readAll(cursor, limit);
    if (read.length === 0) return false;
    const events: StoredEvent[] = [];
    for (const e of read) {
      if (!dueUpstream(this.o.mode, e)) continue;
      if (this.o.mode === 'all') events.push(e);
      // approved only: the report's history up to this approval (the upstream skips what it already has)
      else events.push(...(await this.o.store.readStream(e.subject)).filter((h) => h.streamVersion <= e.streamVersion));
    }
    if (events.length > 0) await this.o.upstream.push(events);
    await this.o.cursors.advance('up', read[read.length - 1]!.position);
    return read.length === limit;
  }
}
