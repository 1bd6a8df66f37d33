// Unit: the relaunch of a Kafka subscription after a crash kafkajs does not restart itself. The kafkajs consumer is
// replaced by a scripted stand-in here because a real broker cannot be made to produce this crash on demand (the
// broker-restart integration test in kafka-event-bus.int.spec.ts hits it in about one run in three).
import { EventEmitter } from 'node:events';
import type { Admin, Consumer } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaSubscription } from '../src/kafka/kafka-subscription';

const EVENTS = { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join', FETCH: 'consumer.fetch' } as const;

/** A stand-in kafkajs consumer: joins its group when run() is called (unless told to fail), records its lifecycle. */
class ScriptedConsumer {
  readonly events = EVENTS;
  readonly emitter = new EventEmitter();
  connected = false;
  running = false;
  constructor(private readonly failConnect: boolean) {}
  on(event: string, listener: (e: { payload: unknown }) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }
  async connect(): Promise<void> {
    if (this.failConnect) throw new Error('connect ECONNREFUSED');
    this.connected = true;
  }
  async subscribe(): Promise<void> {}
  async run(): Promise<void> {
    this.running = true;
    setImmediate(() => this.emitter.emit(EVENTS.GROUP_JOIN, { payload: {} }));
  }
  async disconnect(): Promise<void> {
    this.connected = false;
    this.running = false;
  }
  crash(restart: boolean): void {
    // kafkajs disconnects a crashed consumer before it reports the crash
    this.connected = false;
    this.running = false;
    this.emitter.emit(EVENTS.CRASH, { payload: { error: new Error('Failed to find group coordinator'), restart } });
  }
}

const settings = { retryInitialMs: 1, retryMaxMs: 5, heartbeatIntervalMs: 1_000, joinTimeoutMs: 5_000, firstFetchTimeoutMs: 1_000 };

function subscriptionWith(plan: boolean[]) {
  const consumers: ScriptedConsumer[] = [];
  const errors: string[] = [];
  let stoppedCalls = 0;
  const sub = new KafkaSubscription(
    () => {
      const c = new ScriptedConsumer(plan[consumers.length] ?? false);
      consumers.push(c);
      return c as unknown as Consumer;
    },
    {} as Admin,
    { groupId: 'g', topics: ['t'], handle: async () => undefined, onError: (e) => errors.push(String(e)) },
    settings,
    () => stoppedCalls++,
  );
  return { sub, consumers, errors, stopped: () => stoppedCalls };
}

const until = async (check: () => boolean, what: string): Promise<void> => {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > 5_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('KafkaSubscription relaunch', () => {
  it('replaces a consumer that crashed without a kafkajs restart, and stops the replacement', async () => {
    const { sub, consumers, errors, stopped } = subscriptionWith([]);
    await sub.start();
    expect(consumers).toHaveLength(1);
    consumers[0]!.crash(false);
    await until(() => consumers.length === 2 && consumers[1]!.running, 'the second consumer');
    expect(errors).toEqual(['Error: Failed to find group coordinator']);
    await sub.stop();
    expect(consumers[1]!.connected).toBe(false);
    expect(stopped()).toBe(1);
  });

  it('leaves a crash that kafkajs restarts itself alone', async () => {
    const { sub, consumers } = subscriptionWith([]);
    await sub.start();
    consumers[0]!.crash(true);
    await new Promise((resolve) => setTimeout(resolve, 700)); // past the shortest relaunch delay
    expect(consumers).toHaveLength(1);
    await sub.stop();
  });

  it('keeps relaunching while the broker refuses connections, until a consumer joins', async () => {
    // consumer 1 joins then crashes; 2 and 3 cannot connect; 4 joins
    const { sub, consumers, errors } = subscriptionWith([false, true, true, false]);
    await sub.start();
    consumers[0]!.crash(false);
    await until(() => consumers.length === 4 && consumers[3]!.running, 'the fourth consumer');
    expect(errors.filter((e) => e.includes('ECONNREFUSED'))).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(consumers).toHaveLength(4); // a consumer that joined is not replaced
    await sub.stop();
  });

  it('stop() during a pending relaunch creates no further consumer', async () => {
    const { sub, consumers, stopped } = subscriptionWith([]);
    await sub.start();
    consumers[0]!.crash(false);
    await sub.stop();
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(consumers).toHaveLength(1);
    expect(stopped()).toBe(1);
  });

  it('a first start that fails is not relaunched: subscribe() reports the error', async () => {
    const { sub, consumers } = subscriptionWith([true]);
    await expect(sub.start()).rejects.toThrow('ECONNREFUSED');
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(consumers).toHaveLength(1);
  });
});
