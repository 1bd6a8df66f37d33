import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BackupError, backupDataDir, restoreDataDir } from '../src/backup';
import { getJson, householdValues, startTestPlatform, submit, type TestPlatform } from './helpers';

/**
 * Embedded backup and restore: a backup taken while the platform runs, restored into a new data directory,
 * gives back exactly the figures of the moment of the backup (not those of later writes), by replay.
 */
const PERIOD = '2024S2';
const COMMUNES = ['05611', '05614', '05617'];
const URLS = [`/api/v1/rollups?orgUnit=19&period=${PERIOD}`, `/api/v1/rollups?orgUnit=VN&period=${PERIOD}`, `/api/v1/reports/report-M1719_S-05611-${PERIOD}`];

describe('pnpm tally backup / restore (embedded)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tally-backup-'));
  let source: TestPlatform | undefined;
  let restored: TestPlatform | undefined;
  afterAll(async () => {
    await restored?.dispose();
    await source?.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('restores the figures as of the backup, rebuilt from the log', async () => {
    source = await startTestPlatform();
    for (const [i, c] of COMMUNES.entries()) {
      expect((await submit(source, { orgUnit: c, period: PERIOD, submissionId: `b-${c}`, values: householdValues(100 + i, 10 + i) })).status).toBe(202);
    }
    await source.waitUntilCaughtUp();
    const atBackup = await Promise.all(URLS.map((u) => getJson(source!, u)));
    expect(atBackup.map((r) => r.status)).toEqual([200, 200, 200]);

    const manifest = await backupDataDir(source.dataDir, join(tmp, 'backup'));
    expect(manifest.events).toBeGreaterThan(COMMUNES.length);

    // written after the backup: must not come back
    const amended = await submit(source, { orgUnit: '05611', period: PERIOD, submissionId: 'after-backup', reason: 'later fix', values: householdValues(999, 99) });
    expect(amended.status).toBe(202);
    await source.waitUntilCaughtUp();
    expect((await getJson(source, URLS[0]!)).body).not.toEqual(atBackup[0]!.body);

    const dataDir = join(tmp, 'restored');
    restoreDataDir(join(tmp, 'backup'), dataDir);
    restored = await startTestPlatform({ dataDir, withCatalog: false });
    await restored.waitUntilCaughtUp();
    const after = await Promise.all(URLS.map((u) => getJson(restored!, u)));
    for (const [i, u] of URLS.entries()) expect(after[i]!.body, u).toEqual(atBackup[i]!.body);
  });

  it('refuses a non-empty target, a tampered backup and a non-empty data directory, with a code', async () => {
    expect(source).toBeDefined();
    const codeOf = async (f: () => unknown): Promise<string> => {
      try {
        await f();
        return 'no error';
      } catch (err) {
        return err instanceof BackupError ? err.code : String(err);
      }
    };
    expect(await codeOf(() => backupDataDir(source!.dataDir, join(tmp, 'backup')))).toBe('BACKUP_TARGET_NOT_EMPTY');
    expect(await codeOf(() => restoreDataDir(join(tmp, 'backup'), source!.dataDir))).toBe('RESTORE_TARGET_NOT_EMPTY');
    writeFileSync(join(tmp, 'backup', 'events.db'), 'tampered');
    expect(await codeOf(() => restoreDataDir(join(tmp, 'backup'), join(tmp, 'other')))).toBe('BACKUP_INVALID');
  });
});
