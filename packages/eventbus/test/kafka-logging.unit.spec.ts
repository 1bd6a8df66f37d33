import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaEventBus } from '../src/kafka/kafka-event-bus';
import { kafkaLogCreator, type KafkaBusLogger } from '../src/kafka/kafka-logging';

/** kafkajs's lines reach the service logger at a level that says whether a user must act. */
function capture() {
  const lines: Array<{ level: string; msg?: string; obj: Record<string, unknown> }> = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, msg, obj: obj as Record<string, unknown> });
  const logger: KafkaBusLogger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  const log = kafkaLogCreator(logger)(logLevel.INFO);
  const entry = (level: logLevel, message: string, extra: Record<string, unknown> = {}) =>
    log({ namespace: 'Connection', level, label: '', log: { timestamp: '', message, ...extra } });
  return { lines, entry };
}

describe('kafkaLogCreator', () => {
  it('demotes the coordinator-loading answers kafkajs retries by itself to debug', () => {
    const { lines, entry } = capture();
    entry(logLevel.ERROR, 'Response GroupCoordinator(key: 10, version: 2)', { error: "The coordinator is loading and hence can't process requests for this group" });
    entry(logLevel.ERROR, 'Response FindCoordinator(key: 10, version: 2)', { error: 'The group coordinator is not available' });
    expect(lines.map((l) => l.level)).toEqual(['debug', 'debug']);
    expect(lines[0]!.obj).toMatchObject({ kafkajs: 'Connection' });
  });

  it('keeps other errors and warnings at their level, and routine info at debug', () => {
    const { lines, entry } = capture();
    entry(logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded', { error: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092' });
    entry(logLevel.WARN, 'Rebalancing');
    entry(logLevel.INFO, 'Consumer has joined the group');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['error', 'Crash: KafkaJSNumberOfRetriesExceeded'],
      ['warn', 'Rebalancing'],
      ['debug', 'Consumer has joined the group'],
    ]);
  });
});

describe('KafkaEventBus', () => {
  it('names its partitioner, so kafkajs prints no partitioner warning (messages carry their partition)', async () => {
    const warnings: string[] = [];
    const logger: KafkaBusLogger = { debug: () => undefined, info: () => undefined, warn: (_o, m) => void warnings.push(m ?? ''), error: () => undefined };
    // constructing the bus creates its producer; nothing connects
    const bus = new KafkaEventBus({ brokers: ['127.0.0.1:1'], clientId: 'partitioner-warning', logger });
    expect(warnings.filter((w) => /partitioner/i.test(w))).toEqual([]);
    await bus.close();
  });
});
