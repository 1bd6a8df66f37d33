import type Database from 'better-sqlite3';
import type { LeaseStore } from '../relay-lease';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS leases (
  name       TEXT    PRIMARY KEY,
  holder     TEXT    NOT NULL,
  expires_at INTEGER NOT NULL
);`;

/** Leases as rows of the event store's file: one statement takes or renews one (SQLite has one writer at a time). */
export class SqliteLeases implements LeaseStore {
  private readonly take;
  private readonly drop;

  constructor(db: Database.Database) {
    db.exec(SCHEMA);
    this.take = db.prepare<[{ name: string; holder: string; expiresAt: number; now: number }]>(
      `INSERT INTO leases (name, holder, expires_at) VALUES (@name, @holder, @expiresAt)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE leases.holder = excluded.holder OR leases.expires_at <= @now`,
    );
    this.drop = db.prepare<[string, string]>('DELETE FROM leases WHERE name = ? AND holder = ?');
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    return this.take.run({ name, holder, expiresAt: now + ttlMs, now }).changes > 0;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    this.drop.run(name, holder);
  }
}
