import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backupSqliteEventStore, rewindSqliteRelay } from '@tally/eventstore';

/**
 * `pnpm tally backup DIR` / `pnpm tally restore DIR` for embedded mode.
 *
 * A backup holds the event log (an online SQLite snapshot: the platform may keep running) and the token
 * secret, with a manifest of checksums. The bus and the read models are not copied: three files copied one
 * after another could never be consistent with each other, and all of them are derived from the log. A
 * restore therefore lays the log into an empty data directory and rewinds the relay; at the next start the
 * relay republishes the log and every consumer rebuilds its read model from zero (the same replay as
 * `pnpm tally rebuild`), so the figures after a restore are exactly those of the log at backup time.
 */
export const BACKUP_FORMAT = 'tally-embedded-backup/1';
const LOG_FILE = 'events.db';
const SECRET_FILE = 'token-secret';
const MANIFEST = 'manifest.json';

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  createdAt: string;
  headPosition: number;
  events: number;
  files: { name: string; bytes: number; sha256: string }[];
}

export class BackupError extends Error {
  constructor(
    readonly code: 'BACKUP_TARGET_NOT_EMPTY' | 'BACKUP_SOURCE_MISSING' | 'BACKUP_INVALID' | 'RESTORE_TARGET_NOT_EMPTY',
    message: string,
  ) {
    super(message);
  }
}

const isEmptyDir = (dir: string): boolean => !existsSync(dir) || readdirSync(dir).length === 0;

function fileEntry(dir: string, name: string): BackupManifest['files'][number] {
  const bytes = readFileSync(join(dir, name));
  return { name, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

export async function backupDataDir(dataDir: string, backupDir: string, now: () => Date = () => new Date()): Promise<BackupManifest> {
  if (!existsSync(join(dataDir, LOG_FILE))) throw new BackupError('BACKUP_SOURCE_MISSING', `no event log at ${join(dataDir, LOG_FILE)}`);
  if (!isEmptyDir(backupDir)) throw new BackupError('BACKUP_TARGET_NOT_EMPTY', `${backupDir} is not empty`);
  mkdirSync(backupDir, { recursive: true });
  const { headPosition, events } = await backupSqliteEventStore(join(dataDir, LOG_FILE), join(backupDir, LOG_FILE));
  const names = [LOG_FILE];
  if (existsSync(join(dataDir, SECRET_FILE))) {
    copyFileSync(join(dataDir, SECRET_FILE), join(backupDir, SECRET_FILE));
    names.push(SECRET_FILE);
  }
  const manifest: BackupManifest = { format: BACKUP_FORMAT, createdAt: now().toISOString(), headPosition, events, files: names.map((n) => fileEntry(backupDir, n)) };
  writeFileSync(join(backupDir, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

export function readBackupManifest(backupDir: string): BackupManifest {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(readFileSync(join(backupDir, MANIFEST), 'utf8')) as BackupManifest;
  } catch {
    throw new BackupError('BACKUP_INVALID', `${join(backupDir, MANIFEST)} is missing or not JSON`);
  }
  if (manifest.format !== BACKUP_FORMAT) throw new BackupError('BACKUP_INVALID', `unknown backup format ${String(manifest.format)}`);
  for (const f of manifest.files) {
    if (!existsSync(join(backupDir, f.name)) || fileEntry(backupDir, f.name).sha256 !== f.sha256) {
      throw new BackupError('BACKUP_INVALID', `${f.name} is missing or does not match its checksum`);
    }
  }
  return manifest;
}

/** Lays a verified backup into an empty data directory; the next start replays it into every read model. */
export function restoreDataDir(backupDir: string, dataDir: string): BackupManifest {
  const manifest = readBackupManifest(backupDir);
  if (!isEmptyDir(dataDir)) throw new BackupError('RESTORE_TARGET_NOT_EMPTY', `${dataDir} is not empty: restore into a new data directory`);
  mkdirSync(dataDir, { recursive: true });
  for (const f of manifest.files) copyFileSync(join(backupDir, f.name), join(dataDir, f.name));
  rewindSqliteRelay(join(dataDir, LOG_FILE));
  return manifest;
}
