/**
 * Fails (exit 1) when the committed packages/contracts/src/generated/ differs from what proto/ generates.
 *
 * Regenerates into a temporary directory (same buf.gen.yaml, `buf generate --output <tmp>`) and
 * byte-compares every file both ways: changed, missing and extra files are listed. Works offline on a
 * fresh checkout: buf runs the local ts-proto plugin from node_modules and the module has no BSR deps.
 *
 *   pnpm run check:generated      (fix drift with: pnpm run generate)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GENERATED_DIR, repoRoot, runBufGenerate } from './generate-proto';

/** Relative paths (with '/') of every file under dir; empty when dir does not exist. */
function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)).split(path.sep).join('/'))
    .sort();
}

function main(): number {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'tally-proto-check-'));
  try {
    runBufGenerate(tmp);
    const fresh = path.join(tmp, GENERATED_DIR);
    const committed = path.join(repoRoot, GENERATED_DIR);
    const freshFiles = listFiles(fresh);
    const committedFiles = new Set(listFiles(committed));
    if (freshFiles.length === 0) {
      console.error('check:generated: buf generated no files; is buf.gen.yaml `out` still ' + GENERATED_DIR + '?');
      return 1;
    }
    const drift: string[] = [];
    for (const f of freshFiles) {
      if (!committedFiles.has(f)) drift.push(`missing  ${GENERATED_DIR}/${f}`);
      else if (!readFileSync(path.join(fresh, f)).equals(readFileSync(path.join(committed, f)))) drift.push(`changed  ${GENERATED_DIR}/${f}`);
      committedFiles.delete(f);
    }
    for (const f of committedFiles) drift.push(`extra    ${GENERATED_DIR}/${f}`);
    if (drift.length > 0) {
      console.error(`check:generated: ${drift.length} generated file(s) out of date with proto/:`);
      for (const line of drift) console.error(`  ${line}`);
      console.error('run `pnpm run generate` and commit the result.');
      return 1;
    }
    console.log(`check:generated: ${freshFiles.length} file(s) in ${GENERATED_DIR}/ match proto/`);
    return 0;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

process.exitCode = main();
