export * from './port';
export { SqliteEventBus, openSqliteEventBus, type SqliteEventBusOptions } from './sqlite/sqlite-event-bus';
export { KafkaEventBus, createKafkaEventBus, type KafkaEventBusOptions } from './kafka/kafka-event-bus';
export type { KafkaBusLogger } from './kafka/kafka-logging';
export * from './namespaced-event-bus';
