import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Signed bearer tokens: `tly1.<payload>.<signature>`, payload base64url JSON, signature HMAC-SHA256 over
 * `tly1.<payload>`. A token names its account and a `jti`; role and unit are looked up per request, so a role
 * change, a disabled account, a password change or a revoked jti takes effect at once.
 */
/** session: a person signed in; api: a system's long-lived token; service: one platform service calling another (gRPC only) */
export type TokenKind = 'session' | 'api' | 'service';

export interface TokenClaims {
  /** username */
  sub: string;
  /** token id: revocable */
  jti: string;
  typ: TokenKind;
  /** issued at, seconds since epoch */
  iat: number;
  /** expires at, seconds since epoch */
  exp: number;
  /** the account's password version when issued: a password change ends older sessions */
  pwv: number;
}

const PREFIX = 'tly1';
export const MAX_TOKEN_LENGTH = 1024;

export class TokenSigner {
  private readonly key: Buffer;
  /** earlier secrets a token may still be signed with (rotation); never used to sign */
  private readonly previousKeys: Buffer[];
  constructor(secret: string | Buffer, previous: (string | Buffer)[] = []) {
    const asKey = (s: string | Buffer): Buffer => {
      const key = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
      if (key.length < 32) throw new Error('the token secret needs at least 32 bytes');
      return key;
    };
    this.key = asKey(secret);
    this.previousKeys = previous.map(asKey);
  }

  issue(claims: Omit<TokenClaims, 'jti' | 'iat'> & { jti?: string; iat?: number }): { token: string; claims: TokenClaims } {
    const full: TokenClaims = { sub: claims.sub, jti: claims.jti ?? randomUUID(), typ: claims.typ, iat: claims.iat ?? nowSec(), exp: claims.exp, pwv: claims.pwv };
    const payload = Buffer.from(JSON.stringify(full), 'utf8').toString('base64url');
    return { token: `${PREFIX}.${payload}.${this.sign(`${PREFIX}.${payload}`)}`, claims: full };
  }

  /** The claims of a well-formed, correctly signed, unexpired token; null otherwise (never throws). */
  verify(token: string, now = nowSec()): TokenClaims | null {
    if (token.length > MAX_TOKEN_LENGTH) return null;
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== PREFIX) return null;
    const given = Buffer.from(parts[2]!, 'utf8');
    const signedBy = (key: Buffer): boolean => {
      const expected = Buffer.from(this.sign(`${PREFIX}.${parts[1]}`, key), 'utf8');
      return given.length === expected.length && timingSafeEqual(given, expected);
    };
    if (!signedBy(this.key) && !this.previousKeys.some(signedBy)) return null;
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    if (!isClaims(claims) || claims.exp <= now) return null;
    return claims;
  }

  private sign(input: string, key: Buffer = this.key): string {
    return createHmac('sha256', key).update(input).digest('base64url');
  }
}

function isClaims(x: unknown): x is TokenClaims {
  if (typeof x !== 'object' || x === null) return false;
  const c = x as Record<string, unknown>;
  return (
    typeof c.sub === 'string' &&
    typeof c.jti === 'string' &&
    (c.typ === 'session' || c.typ === 'api' || c.typ === 'service') &&
    Number.isSafeInteger(c.iat) &&
    Number.isSafeInteger(c.exp) &&
    Number.isSafeInteger(c.pwv)
  );
}

export const nowSec = (): number => Math.floor(Date.now() / 1000);

/** `service:<name>`: the principal of a platform service (names: a-z, 0-9, '-'). */
export const SERVICE_PRINCIPAL_PATTERN = /^service:[a-z][a-z0-9-]{0,62}$/;
export const isServicePrincipal = (sub: string): boolean => SERVICE_PRINCIPAL_PATTERN.test(sub);

/**
 * Service tokens for one service's calls to its peers, renewed before they expire: `tly1` tokens of kind
 * `service` for `service:<name>`, signed with the shared secret, living `ttlSec` (default 1 h).
 */
export function serviceTokens(signer: TokenSigner, name: string, ttlSec = 3600): () => string {
  const sub = `service:${name}`;
  if (!isServicePrincipal(sub)) throw new Error(`not a service name: ${name}`);
  let current: { token: string; exp: number } | undefined;
  return () => {
    const now = nowSec();
    if (!current || current.exp - now < Math.min(300, ttlSec / 2)) {
      const exp = now + ttlSec;
      current = { token: signer.issue({ sub, typ: 'service', exp, pwv: 0 }).token, exp };
    }
    return current.token;
  };
}

/**
 * The signing secret: TALLY_TOKEN_SECRET when set, else a random one kept in the data directory (mode 0600),
 * so tokens survive a restart. Every process of a distributed deployment must share TALLY_TOKEN_SECRET.
 */
export function loadTokenSecret(fromEnv: string | undefined, file: string): Buffer {
  if (fromEnv) {
    if (Buffer.byteLength(fromEnv, 'utf8') < 32) throw new Error('TALLY_TOKEN_SECRET must have at least 32 bytes');
    return Buffer.from(fromEnv, 'utf8');
  }
  if (existsSync(file)) {
    const stored = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
    if (stored.length >= 32) return stored;
  }
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32);
  writeFileSync(file, secret.toString('base64url') + '\n', { mode: 0o600, flag: 'w' });
  chmodSync(file, 0o600);
  return secret;
}

/** The bearer token of an Authorization header, or undefined (absent or not a bearer scheme). */
export function bearerOf(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const m = /^Bearer ([A-Za-z0-9._~+/=-]{1,1024})$/i.exec(header.trim());
  return m?.[1];
}
