import { readFileSync } from 'node:fs';

/**
 * The 10,000 most common passwords, shipped with the code (data/common-passwords, MIT, provenance in its
 * README). Read once, on the first check; compared in lower case.
 */
const LIST: URL = new URL('../../../data/common-passwords/top-10000.txt', import.meta.url);

let common: Set<string> | undefined;

function load(): Set<string> {
  common ??= new Set(
    readFileSync(LIST, 'utf8')
      .split('\n')
      .map((line) => line.trim().toLowerCase())
      .filter((line) => line !== ''),
  );
  return common;
}

export function isCommonPassword(password: string): boolean {
  return load().has(password.normalize('NFC').toLowerCase());
}

/** How many passwords the shipped list holds (for a test that the file was found and read). */
export const commonPasswordCount = (): number => load().size;
