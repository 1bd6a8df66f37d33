import { describe, expect, it } from 'vitest';
import { evaluateRule, evaluateRules, minMaxCheck, outlierCheck, type ValidationRule } from '../src/catalog/index';
import type { Lookup } from '../src/formula/index';

const rule = (over: Partial<ValidationRule> = {}): ValidationRule => ({
  code: 'POOR_LE_TOTAL',
  name: 'Poor households <= households',
  left: '#{HH_POOR}',
  operator: '<=',
  right: '#{HH_TOTAL}',
  importance: 'HIGH',
  onViolation: 'REJECT',
  ...over,
});
const lookupOf = (values: Record<string, number>): Lookup => (e, c) => values[c === undefined ? e : `${e}.${c}`];

describe('evaluateRules', () => {
  it('reports a violation with both side values', () => {
    const v = evaluateRules([rule()], lookupOf({ HH_POOR: 120, HH_TOTAL: 100 }));
    expect(v).toEqual([
      expect.objectContaining({ rule: 'POOR_LE_TOTAL', importance: 'HIGH', onViolation: 'REJECT', operator: '<=', left: 120, right: 100, leftExpression: '#{HH_POOR}' }),
    ]);
    expect(v[0]?.message).toMatch(/120 <= 100/);
  });

  it('passes a satisfied rule', () => {
    expect(evaluateRules([rule()], lookupOf({ HH_POOR: 10, HH_TOTAL: 100 }))).toEqual([]);
  });

  it.each<[ValidationRule['operator'], number, number, boolean]>([
    ['==', 0.1 + 0.2, 0.3, true],
    ['!=', 0.1 + 0.2, 0.3, false],
    ['<', 0.1 + 0.2, 0.3, false],
    ['<=', 0.1 + 0.2, 0.3, true],
    ['>', 2, 1, true],
    ['>=', 1, 2, false],
  ])('%s compares with a relative tolerance (%s vs %s: %s)', (operator, l, r, pass) => {
    const result = evaluateRule(rule({ operator, left: '#{L}', right: '#{R}' }), lookupOf({ L: l, R: r }));
    expect(result.status).toBe(pass ? 'PASS' : 'FAIL');
  });

  it('skips a rule with a missing side by default', () => {
    expect(evaluateRule(rule(), lookupOf({ HH_POOR: 120 }))).toEqual({ rule: 'POOR_LE_TOTAL', status: 'SKIPPED', left: 120, right: null });
    expect(evaluateRules([rule()], lookupOf({ HH_POOR: 120 }))).toEqual([]);
  });

  it('SKIP_IF_ALL_VALUES_MISSING and NEVER_SKIP count missing values as 0', () => {
    const some = rule({ missingValueStrategy: 'SKIP_IF_ALL_VALUES_MISSING' });
    expect(evaluateRule(some, lookupOf({ HH_POOR: 120 }))).toMatchObject({ status: 'FAIL', left: 120, right: 0 });
    expect(evaluateRule(some, lookupOf({}))).toMatchObject({ status: 'SKIPPED' });
    const never = rule({ missingValueStrategy: 'NEVER_SKIP' });
    expect(evaluateRule(never, lookupOf({}))).toMatchObject({ status: 'PASS', left: 0, right: 0 });
  });

  it('only checks rules of the given period type', () => {
    const yearly = rule({ periodType: 'YEARLY' });
    const data = lookupOf({ HH_POOR: 120, HH_TOTAL: 100 });
    expect(evaluateRules([yearly], data, { periodType: 'QUARTERLY' })).toEqual([]);
    expect(evaluateRules([yearly], data, { periodType: 'YEARLY' })).toHaveLength(1);
    expect(evaluateRules([yearly], data)).toHaveLength(1);
  });

  it('evaluates option combo references and functions', () => {
    const r = rule({ left: '#{POP.KINH_MALE} + #{POP.KINH_FEMALE}', operator: '<=', right: '#{POP}' });
    expect(evaluateRules([r], lookupOf({ 'POP.KINH_MALE': 60, 'POP.KINH_FEMALE': 50, POP: 100 }))).toHaveLength(1);
  });
});

describe('minMaxCheck', () => {
  it('is inclusive', () => {
    expect(minMaxCheck(5, { min: 0, max: 5 }).status).toBe('OK');
    expect(minMaxCheck(-1, { min: 0 }).status).toBe('BELOW_MIN');
    expect(minMaxCheck(6, { max: 5 })).toEqual({ status: 'ABOVE_MAX', value: 6, max: 5 });
  });
});

describe('outlierCheck (modified z-score)', () => {
  const history = [100, 104, 98, 101, 97, 103];
  it('accepts a value in line with history', () => {
    expect(outlierCheck(history, 106).status).toBe('OK');
  });
  it('flags a typo (an extra zero)', () => {
    const r = outlierCheck(history, 1010);
    expect(r.status).toBe('OUTLIER');
    expect(r.median).toBe(100.5);
    expect(r.score).toBeGreaterThan(3);
  });
  it('is robust to an earlier typo in the history', () => {
    expect(outlierCheck([...history, 10000], 1010).status).toBe('OUTLIER');
    expect(outlierCheck([...history, 10000], 102).status).toBe('OK');
  });
  it('needs minHistory values', () => {
    expect(outlierCheck([1, 2], 100).status).toBe('INSUFFICIENT_HISTORY');
    expect(outlierCheck([1, 2], 100, { minHistory: 2 }).status).toBe('OUTLIER');
  });
  it('handles a constant history', () => {
    expect(outlierCheck([5, 5, 5], 5)).toMatchObject({ status: 'OK', score: 0 });
    expect(outlierCheck([5, 5, 5], 6)).toMatchObject({ status: 'OUTLIER', score: null });
    // MAD 0 but some spread: falls back to the mean absolute deviation
    expect(outlierCheck([5, 5, 5, 6], 5.5).status).toBe('OK');
  });
  it('respects zThreshold', () => {
    expect(outlierCheck(history, 112).status).toBe('OUTLIER');
    expect(outlierCheck(history, 112, { zThreshold: 5 }).status).toBe('OK');
  });
});
