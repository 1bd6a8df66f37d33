import { DEFAULT_SCRYPT, type ScryptParams } from './password';
import type { BucketSettings } from './rate-limit';

/** Authentication settings, from the environment (secrets are read here and kept out of TallyConfig and logs). */
export interface AuthSettings {
  /** TALLY_TOKEN_SECRET (>= 32 bytes); absent: a random secret kept in <dataDir>/token-secret */
  tokenSecret?: string;
  /**
   * TALLY_TOKEN_SECRET_PREVIOUS (comma-separated): secrets that tokens are still accepted under, never signed
   * with: rotating the secret keeps issued tokens valid until they expire or the old secret is dropped
   */
  previousTokenSecrets: string[];
  /** TALLY_ADMIN_PASSWORD: the built-in `admin` account's password at first start; absent: random, printed once */
  adminPassword?: string;
  /** TALLY_TOKEN_TTL_SEC: lifetime of a session token (people), default 900 s */
  sessionTtlSec: number;
  /** TALLY_API_TOKEN_TTL_DAYS: default lifetime of an API token (systems), default 365 days */
  apiTokenTtlDays: number;
  /** TALLY_RATE_LIMIT_BURST / TALLY_RATE_LIMIT_PER_SEC: request budget per account (anonymous: per IP) */
  rateLimit: BucketSettings;
  /** TALLY_LOGIN_MAX_FAILURES / TALLY_LOGIN_WINDOW_SEC: failed sign-ins per username+IP before 429 (per username: 4x) */
  login: { maxFailures: number; windowSec: number };
  scrypt: ScryptParams;
  /**
   * OIDC-ready: an identity provider can take over people's sign-in. Recorded and documented; the token check
   * for OIDC-issued JWTs is not implemented yet (see docs/security.md).
   */
  oidc?: { issuer: string; audience: string; roleClaim: string; orgUnitClaim: string };
  /** where the generated admin password is printed (once); default stdout */
  print: (text: string) => void;
}

export function loadAuthSettings(env: NodeJS.ProcessEnv = process.env): AuthSettings {
  const int = (name: string, fallback: number, min = 1): number => {
    const v = env[name];
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number >= ${min}, got "${v}"`);
    return n;
  };
  return {
    ...(env.TALLY_TOKEN_SECRET ? { tokenSecret: env.TALLY_TOKEN_SECRET } : {}),
    previousTokenSecrets: (env.TALLY_TOKEN_SECRET_PREVIOUS ?? '').split(',').filter((s) => s.length > 0),
    ...(env.TALLY_ADMIN_PASSWORD ? { adminPassword: env.TALLY_ADMIN_PASSWORD } : {}),
    sessionTtlSec: int('TALLY_TOKEN_TTL_SEC', 900, 30),
    apiTokenTtlDays: int('TALLY_API_TOKEN_TTL_DAYS', 365),
    rateLimit: { burst: int('TALLY_RATE_LIMIT_BURST', 600), perSec: int('TALLY_RATE_LIMIT_PER_SEC', 100) },
    login: { maxFailures: int('TALLY_LOGIN_MAX_FAILURES', 5), windowSec: int('TALLY_LOGIN_WINDOW_SEC', 900) },
    scrypt: DEFAULT_SCRYPT,
    ...(env.TALLY_OIDC_ISSUER
      ? {
          oidc: {
            issuer: env.TALLY_OIDC_ISSUER,
            audience: env.TALLY_OIDC_AUDIENCE ?? 'tally',
            roleClaim: env.TALLY_OIDC_ROLE_CLAIM ?? 'tally_role',
            orgUnitClaim: env.TALLY_OIDC_ORG_UNIT_CLAIM ?? 'tally_org_unit',
          },
        }
      : {}),
    print: (text) => process.stdout.write(text),
  };
}
