/** Topic names and partition counts. Every topic is keyed by the event's stream (subject). */
export const TOPICS = {
  /** report lifecycle events, keyed by report stream */
  reports: 'tally.reports.v1',
  /** catalog publications, keyed by catalog stream */
  catalog: 'tally.catalog.v1',
  /** hierarchy changes, keyed by hierarchy version */
  hierarchy: 'tally.hierarchy.v1',
  /** indicator results and validation outcomes, keyed by report stream */
  indicators: 'tally.indicators.v1',
  /** accounts and sign-in audit, keyed by account stream */
  accounts: 'tally.accounts.v1',
  /** open datasets: definitions and releases, keyed by dataset stream */
  openData: 'tally.opendata.v1',
  /** tasks, deadline notices, webhook subscriptions, notification preferences; keyed by their stream */
  notifications: 'tally.notifications.v1',
  /** events a consumer could not apply after every attempt (poison events), and their replays (runtime/consumer/dead-letter.ts) */
  deadLetters: 'tally.dead-letters.v1',
  /** notifications that failed every retry */
  notificationsDeadLetter: 'tally.notifications.dlq.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export const DEFAULT_PARTITIONS: Record<TopicName, number> = {
  'tally.reports.v1': 8,
  'tally.catalog.v1': 1,
  'tally.hierarchy.v1': 1,
  'tally.indicators.v1': 8,
  'tally.accounts.v1': 1,
  'tally.notifications.dlq.v1': 1,
  'tally.opendata.v1': 1,
  'tally.notifications.v1': 4,
  'tally.dead-letters.v1': 1,
};

/**
 * Partition counts of the embedded bus (one process, SQLite): one per topic. A process consumes its partitions one
 * batch at a time, so more partitions bring no parallelism there; they only split each consumer's work into
 * smaller batches visited in turn (one partition per event-loop turn), which delays every event by a round of the
 * partitions and writes the shared rollup shares once per partition batch. Measured (docs/performance.md,
 * "One partition per topic in embedded mode"). A data directory keeps the counts it was created with.
 */
export const EMBEDDED_PARTITIONS: Record<TopicName, number> = Object.fromEntries(Object.keys(DEFAULT_PARTITIONS).map((topic) => [topic, 1])) as Record<TopicName, number>;

/** The topics to create, with their partition counts: DEFAULT_PARTITIONS on Kafka, EMBEDDED_PARTITIONS on SQLite. */
export function topicSpecs(mode: 'embedded' | 'distributed'): Array<{ name: TopicName; partitions: number }> {
  const counts = mode === 'embedded' ? EMBEDDED_PARTITIONS : DEFAULT_PARTITIONS;
  return (Object.keys(counts) as TopicName[]).map((name) => ({ name, partitions: counts[name] }));
}

/** Which topic an event type is relayed to, by its stream category (the part of the subject before the first '-'). */
export function topicForStream(streamId: string): TopicName {
  const category = streamId.split('-', 1)[0];
  switch (category) {
    case 'report':
      return TOPICS.reports;
    case 'catalog':
      return TOPICS.catalog;
    case 'hierarchy':
      return TOPICS.hierarchy;
    case 'indicators':
    case 'target':
      return TOPICS.indicators;
    case 'account':
      return TOPICS.accounts;
    case 'opendata':
      return TOPICS.openData;
    case 'task':
    case 'notification':
      return TOPICS.notifications;
    default:
      throw new Error(`no topic for stream category "${category}" (${streamId})`);
  }
}
