import type { ReadStore } from '@tally/readstore';

/**
 * Where each direction stands, kept by the local deployment: the last position of the source log that was applied
 * (down: the upstream's log; up: this deployment's own). Moves forward only, after the batch was applied, so a cut
 * resumes exactly there (and a batch applied but not recorded is resent, and found to be duplicates).
 */
export type Direction = 'down' | 'up';

export interface CursorDoc {
  _id: Direction;
  position: number;
  [key: string]: unknown;
}

export class SyncCursors {
  constructor(private readonly readStore: ReadStore) {}
  private get docs() {
    return this.readStore.collection<CursorDoc>('sync_cursors');
  }
  async get(direction: Direction): Promise<number> {
    return (await this.docs.get(direction))?.position ?? 0;
  }
  async advance(direction: Direction, position: number): Promise<void> {
    await this.docs.update(direction, { set: { position } }, { field: 'position', below: position });
    await this.readStore.flush(); // durable before the next batch is fetched: fewer duplicates to resend after a crash
  }
}
