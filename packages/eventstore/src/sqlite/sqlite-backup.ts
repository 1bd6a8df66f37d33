import { openDatabase } from '@tally/sqlite';

/**
 * Online backup of the embedded event store: SQLite's backup API copies a consistent snapshot while the
 * platform keeps appending (WAL readers do not block the writer). The log is the system of record; every
 * other file of the data directory is derived from it.
 */
export async function backupSqliteEventStore(sourcePath: string, targetPath: string): Promise<{ headPosition: number; events: number }> {
  const db = openDatabase(sourcePath, { synchronous: 'NORMAL' });
  try {
    await db.backup(targetPath);
  } finally {
    db.close();
  }
  const copy = openDatabase(targetPath, { synchronous: 'NORMAL' });
  try {
    const row = copy.prepare<[], { head: number | null; n: number }>('SELECT MAX(position) AS head, COUNT(*) AS n FROM events').get();
    return { headPosition: row?.head ?? 0, events: row?.n ?? 0 };
  } finally {
    copy.close();
  }
}

/**
 * Makes a restored log publish itself again from the first event: the restored data directory has an empty
 * bus and no read models, so the relay must republish everything and every consumer rebuilds from zero.
 */
export function rewindSqliteRelay(path: string): void {
  const db = openDatabase(path);
  try {
    db.prepare("DELETE FROM checkpoints WHERE name = 'relay'").run();
  } finally {
    db.close();
  }
}
