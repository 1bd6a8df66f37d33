export * from './port';
export { SqliteEventStore, openSqliteEventStore } from './sqlite/sqlite-event-store';
export type { SqliteOpenOptions as SqliteEventStoreOptions } from './sqlite/open-database';
export * from './relay';
