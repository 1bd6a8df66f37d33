import { MongoBulkWriteError, MongoServerError } from 'mongodb';

/** The server's code for a write that would repeat a unique key (MongoDB and FerretDB alike). */
export const DUPLICATE_KEY = 11000;

export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}

/** The failures a bulk write lists, one per document (none for an error that is not a bulk write's). */
export function writeErrorsOf(error: unknown): Array<{ index: number; code?: number }> {
  return error instanceof MongoBulkWriteError ? ([] as Array<{ index: number; code?: number }>).concat(error.writeErrors) : [];
}

/** A failed insert whose every failure is a duplicate key (a bulk write lists one per document). */
export function onlyDuplicateKeys(error: unknown): boolean {
  if (!(error instanceof MongoBulkWriteError)) return isDuplicateKey(error);
  const failures = writeErrorsOf(error);
  return failures.length > 0 && failures.every((w) => w.code === DUPLICATE_KEY);
}
