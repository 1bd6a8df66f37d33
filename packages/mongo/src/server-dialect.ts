import type { Db } from 'mongodb';

/**
 * Which server speaks the MongoDB protocol. FerretDB 1.x answers every query whose filter is not exactly
 * `{ _id: <string> }` by reading the whole collection and filtering it in Go, and applies updates as a non-atomic
 * read-modify-write anyway; so on FerretDB the stores look documents up by _id only and check guards themselves
 * (no weaker than FerretDB's own guard check, and O(1) instead of O(collection) per write).
 */
export type MongoDialect = 'mongodb' | 'ferretdb';

export async function detectMongoDialect(db: Db): Promise<MongoDialect> {
  const info = await db.admin().command({ buildInfo: 1 });
  return 'ferretdbVersion' in info ? 'ferretdb' : 'mongodb';
}
