import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addressAllowed, backoffMs, parseAllowList, signature, urlProblem } from '../src';

describe('webhook allow-list (TALLY_WEBHOOK_ALLOW)', () => {
  const none = parseAllowList('');
  it('refuses loopback, private, link-local, CGNAT, unspecified and multicast addresses by default, allows public ones', () => {
    for (const ip of ['127.0.0.1', '10.0.0.5', '172.16.3.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1']) {
      expect(addressAllowed(none, ip, 80), ip).toBe(false);
    }
    for (const ip of ['8.8.8.8', '203.113.131.1', '2001:4860:4860::8888']) expect(addressAllowed(none, ip, 443), ip).toBe(true);
  });

  it('allows what it names: a host, a host:port, a CIDR range', () => {
    const list = parseAllowList(' hooks.internal , 127.0.0.1:9000, 10.20.0.0/16 ');
    expect(addressAllowed(list, '127.0.0.1', 9000)).toBe(true);
    expect(addressAllowed(list, '127.0.0.1', 9001)).toBe(false);
    expect(addressAllowed(list, '10.20.3.4', 80)).toBe(true);
    expect(addressAllowed(list, '10.21.3.4', 80)).toBe(false);
    expect(addressAllowed(list, '192.168.0.9', 80, 'hooks.internal')).toBe(true);
    expect(urlProblem(list, 'http://127.0.0.1:9000/x')).toBeNull();
    expect(urlProblem(list, 'http://127.0.0.1:9001/x')).toMatch(/loopback, private or link-local/);
  });

  it('refuses other schemes, credentials in the URL, localhost and junk', () => {
    expect(urlProblem(none, 'ftp://example.org/')).toMatch(/http/);
    expect(urlProblem(none, 'https://u:p@example.org/')).toMatch(/credentials/);
    expect(urlProblem(none, 'http://localhost:8080/')).toMatch(/localhost/);
    expect(urlProblem(none, 'not a url')).toBe('not a URL');
    expect(urlProblem(none, 'https://hooks.example.org/tally')).toBeNull();
  });
});

describe('webhook signature and retry delays', () => {
  it('signs "<timestamp>.<body>" with HMAC-SHA256, as a receiver recomputes it', () => {
    const body = '{"kind":"task.assigned"}';
    const expected = createHmac('sha256', 's3cret').update(`1767225600.${body}`).digest('hex');
    expect(signature('s3cret', 1767225600, body)).toBe(`v1=${expected}`);
    expect(signature('s3cret', 1767225601, body)).not.toBe(`v1=${expected}`);
  });

  it('doubles the delay each attempt, takes a random part of its half off, and caps it', () => {
    const settings = { backoffBaseMs: 1000, backoffMaxMs: 10_000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, settings, () => 1))).toEqual([1000, 2000, 4000, 8000, 10_000]);
    expect([1, 2, 3].map((n) => backoffMs(n, settings, () => 0))).toEqual([500, 1000, 2000]);
  });
});
