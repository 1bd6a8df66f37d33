export * from './port';
export { SqliteReadStore, openSqliteReadStore } from './sqlite/sqlite-read-store';
export type { SqliteOpenOptions as SqliteReadStoreOptions } from '@tally/sqlite';
export { MongoReadStore, createMongoReadStore, type MongoReadStoreConnection } from './mongodb/mongo-read-store';
export { detectMongoDialect, type MongoDialect } from '@tally/mongo';
