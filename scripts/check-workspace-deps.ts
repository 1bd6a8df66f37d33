// Every @tally/* package a workspace package's sources import is declared in its own package.json (workspace:*).
// dependency-cruiser checks third-party packages; workspace packages resolve through the root's links, so this
// script checks their declarations. Part of `pnpm check:deps`.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const problems: string[] = [];
for (const group of ['packages', 'services']) {
  for (const name of readdirSync(join(ROOT, group))) {
    const dir = join(ROOT, group, name);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string> };
    const declared = new Set(Object.keys(manifest.dependencies ?? {}));
    for (const file of sources(join(dir, 'src'))) {
      for (const [, pkg] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(@tally\/[a-z0-9-]+)/g)) {
        if (pkg !== manifest.name && !declared.has(pkg!)) problems.push(`${file.slice(ROOT.length)} imports ${pkg}, which ${manifest.name} does not declare`);
      }
    }
  }
}
if (problems.length > 0) {
  process.stderr.write([...new Set(problems)].join('\n') + '\n');
  process.exit(1);
}
process.stdout.write('every workspace import is declared\n');

function* sources(dir: string): Generator<string> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (path.endsWith('.ts')) yield path;
  }
}
