export * from './port';
export { SqliteEventBus, openSqliteEventBus, type SqliteEventBusOptions } from './sqlite/sqlite-event-bus';
