export * from './port';
export { SqliteEventStore, openSqliteEventStore } from './sqlite/sqlite-event-store';
export { backupSqliteEventStore, rewindSqliteRelay } from './sqlite/sqlite-backup';
export type { SqliteOpenOptions as SqliteEventStoreOptions } from '@tally/sqlite';
export * from './relay';
export * from './relay-lease';
export * from './command-handler';
export {
  MongoEventStore,
  createMongoEventStore,
  type MongoEventStoreOptions,
  type MongoConnection as MongoEventStoreConnection,
} from './mongodb/mongo-event-store';
