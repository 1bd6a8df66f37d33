import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { isCommonPassword } from './common-passwords';

/**
 * Passwords are stored as scrypt hashes (memory-hard: N=2^15, r=8 needs 32 MiB per guess), with a random salt,
 * in a self-describing string `scrypt$N$r$p$salt$hash` so the cost can be raised later without breaking old hashes.
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LEN = 32;
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_LEN, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Constant-time comparison; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isSafeInteger(n) && n > 0) || N > 2 ** 20) return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (expected.length !== KEY_LEN) return false;
  const key = await derive(password, salt, { N, r, p });
  return timingSafeEqual(key, expected);
}

/** A hash of a random password: verifying against it costs as much as a real check (unknown users take as long). */
let dummy: Promise<string> | undefined;
export function dummyHash(params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  dummy ??= hashPassword(randomBytes(18).toString('base64url'), params);
  return dummy;
}

const MIN_DISTINCT_CHARACTERS = 4;

/**
 * Why a new password is refused, or null (NIST SP 800-63B: length, no known-common or repetitive values; the
 * password is judged in NFC, the form it is hashed in).
 */
export function passwordProblem(raw: string, username?: string): string | null {
  const password = raw.normalize('NFC');
  if (/\p{Cc}/u.test(password)) return 'a password must not contain control characters';
  if (password.trim() === '') return 'a password must not be only spaces';
  if (password.length < MIN_PASSWORD_LENGTH) return `a password needs at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `a password has at most ${MAX_PASSWORD_LENGTH} characters`;
  if (username && password.toLowerCase().includes(username.toLowerCase())) return 'a password must not contain the username';
  if (new Set(password).size < MIN_DISTINCT_CHARACTERS) return `a password needs at least ${MIN_DISTINCT_CHARACTERS} different characters`;
  if (isCommonPassword(password)) return 'this password is one of the most common ones; choose another';
  return null;
}

/** A random password for bootstrap and demo accounts (about 120 bits). */
export const randomPassword = (): string => randomBytes(15).toString('base64url');
