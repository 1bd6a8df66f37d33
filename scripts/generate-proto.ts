/**
 * Generates the TypeScript gRPC contracts from proto/ into packages/contracts/src/generated/.
 *
 * Runs `buf generate` (from node_modules/.bin) with buf.gen.yaml: ts-proto is a LOCAL plugin, the
 * module has no BSR dependencies, so this needs neither protoc nor network access. buf.gen.yaml sets
 * `clean: true`, so files of deleted .proto files disappear; the output depends only on the .proto
 * files and the pinned buf/ts-proto versions (no timestamps), so it is byte-for-byte reproducible.
 * Nothing else is formatted or post-processed.
 *
 *   pnpm run generate
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where the generated code lives, relative to the repository root (must match buf.gen.yaml's `out`). */
export const GENERATED_DIR = 'packages/contracts/src/generated';

const bin = (name: string): string => {
  const file = path.join(repoRoot, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
  if (!existsSync(file)) throw new Error(`${file} not found: run \`pnpm install\` first`);
  return file;
};

/**
 * Runs `buf generate` from the repository root. With `outputBase`, the plugins' `out` directories are
 * placed under that directory instead of the repository (used by check-generated to compare).
 */
export function runBufGenerate(outputBase?: string): void {
  bin('protoc-gen-ts_proto'); // fail early with a clear message when the local plugin is missing
  const args = ['generate', '--template', 'buf.gen.yaml', ...(outputBase === undefined ? [] : ['--output', outputBase])];
  execFileSync(bin('buf'), args, { cwd: repoRoot, stdio: 'inherit', shell: process.platform === 'win32' });
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (isMain) {
  runBufGenerate();
  console.log(`generated ${GENERATED_DIR}/ from proto/`);
}
