import { describe, expect, it } from 'vitest';
import { applyUpdate } from '../src/sqlite/apply-update';

describe('applyUpdate (the SQLite adapter read-modify-write)', () => {
  it('changes the fresh document it is given and keeps set values by reference when nothing writes inside them', () => {
    const existing = { _id: 'd', n: 1 };
    const value = { a: 1, b: [1, 2] };
    const next = applyUpdate(existing, 'd', { set: { v: value }, inc: { n: 1 } });
    expect(next).toBe(existing);
    expect(JSON.parse(JSON.stringify(next))).toEqual({ _id: 'd', n: 2, v: { a: 1, b: [1, 2] } });
    expect(value).toEqual({ a: 1, b: [1, 2] });
  });

  it('never changes the caller value that another path of the same update writes inside', () => {
    const value = { n: 1, keep: true };
    const next = applyUpdate(null, 'd', { set: { v: value, 'v.m': 2 }, inc: { 'v.n': 5 }, unset: ['v.keep'] }, { field: 'v.g', below: 3 });
    expect(next).toEqual({ _id: 'd', v: { n: 6, m: 2, g: 3 } });
    expect(value).toEqual({ n: 1, keep: true });
    const onInsert = { x: 1 };
    applyUpdate(null, 'e', { setOnInsert: { o: onInsert }, inc: { 'o.x': 1 } });
    expect(onInsert).toEqual({ x: 1 });
  });
});
