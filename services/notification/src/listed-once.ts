import type { Collection } from '@tally/readstore';

/** The note document a collection holds once its one-time listing ran (no unit code or delivery id starts with '~'). */
export const LISTED = '~listed';

/**
 * An upgrade's one-time listing into `collection` (what a version without it left unlisted): runs `list` unless the
 * collection's note says it ran, then writes the note and makes both durable.
 */
export async function listOnce(collection: Collection, flush: () => Promise<void>, list: () => Promise<void>): Promise<void> {
  if (await collection.get(LISTED)) return;
  await list();
  await collection.update(LISTED, { set: { listed: true } });
  await flush();
}
