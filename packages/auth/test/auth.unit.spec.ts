import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FailureWindow,
  POLICIES,
  ROLES,
  ROLE_PERMISSIONS,
  TokenBuckets,
  TokenSigner,
  bearerOf,
  hashPassword,
  loadTokenSecret,
  passwordProblem,
  policyFor,
  verifyPassword,
} from '../src/index';

const FAST = { N: 1024, r: 8, p: 1 };

describe('passwords (scrypt)', () => {
  it('verifies the right password only, with a fresh salt each time', async () => {
    const h1 = await hashPassword('correct horse battery', FAST);
    const h2 = await hashPassword('correct horse battery', FAST);
    expect(h1).not.toBe(h2);
    expect(h1.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(await verifyPassword('correct horse battery', h1)).toBe(true);
    expect(await verifyPassword('correct horse batterY', h1)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$99999999$8$1$AAAA$AAAA')).toBe(false);
  });

  it('compares Vietnamese passwords in NFC: typed decomposed, it still matches', async () => {
    const nfc = 'Mật khẩu Thái Nguyên'.normalize('NFC');
    const h = await hashPassword(nfc, FAST);
    expect(await verifyPassword(nfc.normalize('NFD'), h)).toBe(true);
  });

  it('refuses short passwords and ones containing the username', () => {
    expect(passwordProblem('short')).toMatch(/at least/);
    expect(passwordProblem('cb.05611-secret', 'cb.05611')).toMatch(/username/);
    expect(passwordProblem('a-long-enough-one')).toBeNull();
  });
});

describe('signed tokens', () => {
  const signer = new TokenSigner('s'.repeat(32));
  const exp = Math.floor(Date.now() / 1000) + 60;

  it('round-trips its claims', () => {
    const { token, claims } = signer.issue({ sub: 'admin', typ: 'session', exp, pwv: 1 });
    expect(signer.verify(token)).toEqual(claims);
  });

  it('refuses expired, tampered, foreign and malformed tokens (property)', () => {
    const { token } = signer.issue({ sub: 'admin', typ: 'session', exp, pwv: 1 });
    expect(signer.verify(token, exp)).toBeNull();
    expect(new TokenSigner('t'.repeat(32)).verify(token)).toBeNull();
    const [v, payload, sig] = token.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ sub: 'admin', jti: 'x', typ: 'api', iat: 0, exp: exp + 1e6, pwv: 0 })).toString('base64url');
    expect(signer.verify(`${v}.${forged}.${sig}`)).toBeNull();
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.nat({ max: token.length - 1 }), fc.string({ minLength: 1, maxLength: 3 }), (junk, at, insert) => {
        expect(signer.verify(junk)).toBeNull();
        const mutated = token.slice(0, at) + insert + token.slice(at + 1);
        if (mutated !== token) expect(signer.verify(mutated)).toBeNull();
      }),
    );
    expect(payload.length).toBeGreaterThan(0);
  });

  it('reads only well-formed bearer headers', () => {
    expect(bearerOf('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerOf('bearer abc')).toBe('abc');
    expect(bearerOf('Basic YWRtaW46YWRtaW4=')).toBeUndefined();
    expect(bearerOf('Bearer a b')).toBeUndefined();
    expect(bearerOf(['Bearer a'])).toBeUndefined();
    expect(bearerOf(undefined)).toBeUndefined();
  });

  it('keeps a generated secret in the data directory, readable by its owner only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-secret-'));
    try {
      const file = join(dir, 'token-secret');
      const a = loadTokenSecret(undefined, file);
      expect(loadTokenSecret(undefined, file).equals(a)).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8').trim().length).toBeGreaterThan(40);
      expect(loadTokenSecret('e'.repeat(40), file).toString()).toBe('e'.repeat(40));
      expect(() => loadTokenSecret('short', file)).toThrow(/32 bytes/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('rate limits', () => {
  it('a token bucket allows a burst, then one request per refill, and says how long to wait', () => {
    let now = 0;
    const b = new TokenBuckets({ burst: 3, perSec: 0.5 }, 10, () => now);
    expect([b.take('a'), b.take('a'), b.take('a')]).toEqual([0, 0, 0]);
    expect(b.take('a')).toBe(2);
    expect(b.take('b')).toBe(0);
    now += 2000;
    expect(b.take('a')).toBe(0);
    expect(b.take('a')).toBeGreaterThan(0);
  });

  it('failed sign-ins block a key for the rest of the window', () => {
    let now = 0;
    const w = new FailureWindow(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(w.blockedFor('u|ip')).toBe(0);
      w.record('u|ip');
      now += 1000;
    }
    expect(w.blockedFor('u|ip')).toBe(57);
    now = 60_001;
    expect(w.blockedFor('u|ip')).toBe(0);
  });
});

describe('the policy table', () => {
  it('has one entry per route and a known permission for each protected one', () => {
    const keys = POLICIES.map((p) => `${p.method} ${p.url}`);
    expect(new Set(keys).size).toBe(keys.length);
    const permissions = new Set(Object.values(ROLE_PERMISSIONS).flat());
    for (const p of POLICIES) if (!p.access.public) expect(permissions.has(p.access.permission)).toBe(true);
    // five people roles, and sync (a linked deployment's account on its upstream, issue 15)
    expect(ROLES).toHaveLength(6);
  });

  it('public: health, open data, sign-in; everything else is protected; unknown routes have no policy', () => {
    expect(policyFor('GET', '/health')).toEqual({ public: true });
    expect(policyFor('HEAD', '/api/v1/open-data/datasets/:name')).toEqual({ public: true });
    expect(policyFor('POST', '/api/v1/open-data/datasets')).toBeUndefined();
    expect(policyFor('POST', '/api/v1/auth/login')).toEqual({ public: true });
    expect(policyFor('POST', '/api/v1/reports')).toMatchObject({ permission: 'report.submit' });
    expect(policyFor('DELETE', '/api/v1/reports')).toBeUndefined();
    expect(policyFor('GET', '/api/v1/nothing')).toBeUndefined();
  });
});
