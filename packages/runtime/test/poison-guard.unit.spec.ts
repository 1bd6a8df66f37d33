import { describe, expect, it } from 'vitest';
import { RetryableError, TallyError, type StoredEvent } from '@tally/contracts';
import type { BusMessage, EventBus, OutgoingMessage } from '@tally/eventbus';
import { createLogger, PoisonGuard, type DeadLetter } from '@tally/runtime';
import { sampleEvent } from '@tally/testkit/conformance';

/** Only publish is used by the guard: it records what was dead-lettered. */
function recordingBus(): { bus: EventBus; letters: DeadLetter[] } {
  const letters: DeadLetter[] = [];
  const bus = {
    publish: async (_topic: string, messages: OutgoingMessage[]) => void letters.push(...messages.map((m) => m.value as DeadLetter)),
  } as Pick<EventBus, 'publish'> as EventBus;
  return { bus, letters };
}

const delivered = (n: number) => {
  const event: StoredEvent = { ...sampleEvent('report-T-X-2026', n), streamVersion: n, position: n };
  const message: BusMessage = { topic: 'tally.reports.v1', partition: 0, offset: n - 1, key: event.subject, value: event, headers: {} };
  return { event, message };
};

/** Delivers the batch the way a bus does: again after each failure, up to `deliveries` times. */
async function deliver(guard: PoisonGuard, batch: ReturnType<typeof delivered>[], handle: (e: StoredEvent[]) => Promise<void>, deliveries: number): Promise<number> {
  for (let i = 1; i <= deliveries; i++) {
    try {
      await guard.apply(batch, handle);
      return i;
    } catch {
      // the bus backs off and redelivers
    }
  }
  return -1;
}

describe('PoisonGuard', () => {
  const logger = createLogger('poison-test', 'silent');

  it('given an event that always fails, when delivered N times, then it is dead-lettered and the rest of the batch applied', async () => {
    const { bus, letters } = recordingBus();
    const guard = new PoisonGuard({ groupId: 'g', bus, logger, maxAttempts: 2 });
    const batch = [delivered(1), delivered(2), delivered(3)];
    const applied = new Set<number>();
    const handle = async (events: StoredEvent[]) => {
      for (const e of events) if (e.streamVersion === 2) throw new TallyError('NO_CATALOG', 'no catalog 9');
      for (const e of events) applied.add(e.streamVersion);
    };
    expect(await deliver(guard, batch, handle, 5)).toBe(2);
    expect([...applied].sort()).toEqual([1, 3]);
    expect(guard.deadLettered()).toBe(1);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ group: 'g', attempts: 2, offset: 1, error: { name: 'TallyError', message: 'no catalog 9' } });
  });

  it('never dead-letters a retryable condition, however often it recurs', async () => {
    const { bus, letters } = recordingBus();
    const guard = new PoisonGuard({ groupId: 'g', bus, logger, maxAttempts: 2 });
    const errors = [new RetryableError('busy'), new TallyError('NOT_CAUGHT_UP', 'later'), Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })];
    let i = 0;
    const handle = async () => {
      throw errors[i++ % errors.length];
    };
    expect(await deliver(guard, [delivered(1), delivered(2)], handle, 12)).toBe(-1);
    expect(letters).toEqual([]);
  });

  it('forgets the failures of an event once it applies (a flaky event is not dead-lettered later)', async () => {
    const { bus, letters } = recordingBus();
    const guard = new PoisonGuard({ groupId: 'g', bus, logger, maxAttempts: 2 });
    let fail = true;
    const handle = async () => {
      if (fail) throw new Error('once');
    };
    expect(await deliver(guard, [delivered(1)], handle, 1)).toBe(-1);
    fail = false;
    expect(await deliver(guard, [delivered(1)], handle, 1)).toBe(1);
    fail = true;
    expect(await deliver(guard, [delivered(1)], handle, 1)).toBe(-1);
    expect(letters).toEqual([]);
  });
});
