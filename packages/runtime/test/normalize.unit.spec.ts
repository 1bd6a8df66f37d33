import { describe, expect, it } from 'vitest';
import { normalizeNfc } from '../src/http/normalize';

describe('normalizeNfc', () => {
  const nfd = 'Thái Nguyên'.normalize('NFD');

  it('turns every string, key and nested value into NFC', () => {
    const body = { [nfd]: [nfd, { name: nfd, n: 1 }], ok: true };
    const out = normalizeNfc(body);
    expect(out).toEqual({ 'Thái Nguyên': ['Thái Nguyên', { name: 'Thái Nguyên', n: 1 }], ok: true });
    expect(JSON.stringify(out).normalize('NFC')).toBe(JSON.stringify(out));
    expect((body[nfd] as unknown[])[0]).toBe(nfd); // the input is not changed
  });

  it('returns a value already in NFC as it is, and copies only the containers that change', () => {
    const untouched = { a: { b: ['Thái Nguyên', 2] }, c: null };
    expect(normalizeNfc(untouched)).toBe(untouched);
    const mixed = { same: { x: 1 }, list: ['ok', nfd] };
    const out = normalizeNfc(mixed);
    expect(out).not.toBe(mixed);
    expect(out.same).toBe(mixed.same);
    expect(out.list).toEqual(['ok', 'Thái Nguyên']);
  });
});
