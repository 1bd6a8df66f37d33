/**
 * DHIS2 identifiers for Tally's codes. DHIS2 names objects by 11-character UIDs (a letter, then 10 letters or
 * digits); Tally names them by codes. `idScheme=uid` files carry a UID derived from the code, the same on every
 * deployment and in every version (a stable hash, not a random id), so a DHIS2 instance can map them once.
 */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LETTERS = 52;

/** DHIS2's own default category option combo: the total of an element that is not disaggregated. */
export const DEFAULT_COMBO_CODE = 'default';
export const DEFAULT_COMBO_UID = 'HllvX50cXC0';

export type IdScheme = 'code' | 'uid';

/** What kind of object a UID names (part of the hash, so an element and a unit with the same code differ). */
export type UidKind = 'dataElement' | 'categoryOptionCombo' | 'dataSet' | 'orgUnit';

export function uidOf(kind: UidKind, code: string): string {
  if (kind === 'categoryOptionCombo' && code === DEFAULT_COMBO_CODE) return DEFAULT_COMBO_UID;
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  const text = `${kind}:${code}`;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
    h2 = (h2 ^ (h2 >>> 13)) >>> 0;
  }
  let out = ALPHABET[h1 % LETTERS]!;
  let a = Math.floor(h1 / LETTERS);
  let b = h2;
  for (let i = 1; i < 11; i++) {
    const src = i % 2 === 0 ? a : b;
    out += ALPHABET[src % ALPHABET.length]!;
    if (i % 2 === 0) a = Math.floor(a / ALPHABET.length) + ((b >>> (i * 2)) & 0xff);
    else b = Math.floor(b / ALPHABET.length) + ((h1 >>> i) & 0xff);
  }
  return out;
}

export const isUid = (s: string): boolean => /^[a-zA-Z][a-zA-Z0-9]{10}$/.test(s);

/** Codes -> UIDs and back, for one kind of object. */
export class UidMap {
  private readonly byUid = new Map<string, string>();
  constructor(
    readonly kind: UidKind,
    codes: Iterable<string>,
  ) {
    for (const c of codes) this.byUid.set(uidOf(kind, c), c);
  }
  codeOf(uid: string): string | undefined {
    return this.byUid.get(uid);
  }
}
