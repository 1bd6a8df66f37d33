import { randomUUID } from 'node:crypto';
import { envelopeHeaders } from '@tally/contracts';
import type { BusMessage, EventBus } from '@tally/eventbus';
import { DEAD_LETTER_TOPIC, REPLAY_FOR_HEADER, type DeadLetter, type DeadLetterReplayed } from './dead-letter';

/**
 * What an operator does with dead letters once the cause is fixed (`pnpm tally dead-letters list|replay`):
 * list them (read from the dead-letter topic, with whether each was replayed) and replay them: the event goes back
 * on its own topic, with the same key (so the same partition), marked for the group that failed it; that group
 * applies it like any redelivery (its guards still apply: a projection whose guard moved past the event's
 * position ignores it, and `pnpm tally rebuild` recomputes it), the other groups skip it.
 */
export interface ListedDeadLetter extends DeadLetter {
  replayedAt: string | null;
}

/** Every dead letter on the topic, oldest first. Reads the topic to its end with a throwaway consumer group. */
export async function listDeadLetters(bus: EventBus, options: { timeoutMs?: number } = {}): Promise<ListedDeadLetter[]> {
  const letters = new Map<string, ListedDeadLetter>();
  const replayed = new Map<string, string>();
  const group = `tally-dead-letters-${randomUUID()}`;
  const record = (m: BusMessage) => {
    const v = m.value as Partial<DeadLetter> | Partial<DeadLetterReplayed> | null;
    if (v?.kind === 'dead-letter' && typeof v.id === 'string') letters.set(v.id, { ...(v as DeadLetter), replayedAt: null });
    if (v?.kind === 'replayed' && typeof v.id === 'string' && typeof v.at === 'string') replayed.set(v.id, v.at);
  };
  const subscription = await bus.subscribe({
    groupId: group,
    topics: [DEAD_LETTER_TOPIC],
    from: 'earliest',
    handle: async (batch) => {
      for (const m of batch) record(m);
    },
  });
  try {
    // read to the end: every partition's committed offset (moved once a batch is recorded) reaches its end offset
    const timeoutMs = options.timeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lags = await subscription.lag();
      if (lags.length > 0 && lags.every((l) => l.lag === 0)) break;
      if (Date.now() > deadline) throw new Error(`the dead-letter topic was not read to its end within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } finally {
    await subscription.stop();
    await bus.resetGroup(group, [DEAD_LETTER_TOPIC]).catch(() => undefined);
  }
  for (const [id, at] of replayed) {
    const letter = letters.get(id);
    if (letter) letter.replayedAt = at;
  }
  return [...letters.values()].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/** Sends dead letters back to the groups that failed them, and records each replay on the dead-letter topic. */
export async function replayDeadLetters(bus: EventBus, letters: DeadLetter[]): Promise<number> {
  for (const letter of letters) {
    const e = letter.event;
    await bus.publish(letter.topic, [{ key: e.subject, value: e, headers: { ...envelopeHeaders(e), [REPLAY_FOR_HEADER]: letter.group } }]);
    const replayed: DeadLetterReplayed = { kind: 'replayed', id: letter.id, at: new Date().toISOString() };
    await bus.publish(DEAD_LETTER_TOPIC, [{ key: e.subject, value: replayed }]);
  }
  return letters.length;
}
