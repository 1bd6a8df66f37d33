import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  evaluate,
  FormulaError,
  parseExpression,
  printExpression,
  referencedElements,
  type BinaryOperator,
  type Expression,
  type Lookup,
} from '../src/formula/index';
import { computeIndicator } from '../src/catalog/indicator';

const data: Record<string, number> = { A: 10, B: 4, ZERO: 0, 'POP.KINH_MALE': 7 };
const lookup: Lookup = (element, combo) => data[combo === undefined ? element : `${element}.${combo}`];
const ev = (text: string): number | null => evaluate(parseExpression(text), lookup);

function errorOf(text: string): FormulaError {
  try {
    parseExpression(text);
  } catch (e) {
    if (e instanceof FormulaError) return e;
    throw e;
  }
  throw new Error(`expected ${text} not to parse`);
}

describe('formula grammar', () => {
  it('parses references with and without option combo', () => {
    expect(parseExpression('#{POP.KINH_MALE}')).toEqual({ kind: 'ref', element: 'POP', optionCombo: 'KINH_MALE' });
    expect(parseExpression('#{HH_POOR}')).toEqual({ kind: 'ref', element: 'HH_POOR' });
  });

  it('gives * and / precedence over + and -, and is left-associative', () => {
    expect(ev('2 + 3 * 4')).toBe(14);
    expect(ev('(2 + 3) * 4')).toBe(20);
    expect(ev('10 - 4 - 3')).toBe(3);
    expect(ev('12 / 3 / 2')).toBe(2);
    expect(ev('-2 * -3')).toBe(6);
    expect(ev('1.5 + .5 + 1e2')).toBe(102);
  });

  it('orders comparison below arithmetic and && above ||', () => {
    expect(ev('1 + 1 == 2')).toBe(1);
    expect(ev('1 < 2 == 1')).toBe(1);
    expect(ev('1 || 0 && 0')).toBe(1);
    expect(ev('(1 || 0) && 0')).toBe(0);
    expect(ev('!(#{A} > 5)')).toBe(0);
  });

  it('evaluates functions', () => {
    expect(ev('if(#{A} > #{B}, 1, 2)')).toBe(1);
    expect(ev('greatest(#{A}, #{B}, 99)')).toBe(99);
    expect(ev('least(#{A}, #{B})')).toBe(4);
    expect(ev('isNull(#{MISSING})')).toBe(1);
    expect(ev('isNotNull(#{A})')).toBe(1);
    expect(ev('#{POP.KINH_MALE} * 2')).toBe(14);
  });

  it('prints canonically', () => {
    expect(printExpression(parseExpression('  ( #{A}+#{B} )*2'))).toBe('(#{A} + #{B}) * 2');
    expect(printExpression(parseExpression('1-(2-3)'))).toBe('1 - (2 - 3)');
    expect(printExpression(parseExpression('(1-2)-3'))).toBe('1 - 2 - 3');
    expect(printExpression(parseExpression('--1'))).toBe('-(-1)');
    expect(printExpression(parseExpression('if(1,least(1,2),isNull(#{A.B}))'))).toBe('if(1, least(1, 2), isNull(#{A.B}))');
  });

  it.each([
    ['', 0, /end of formula/],
    ['1 +', 3, /end of formula/],
    ['#{A} #{B}', 5, /expected an operator/],
    ['(1 + 2', 6, /expected '\)'/],
    ['#{A', 0, /missing '}'/],
    ['#{A-B}', 3, /invalid character '-'/],
    ['#{}', 2, /empty code/],
    ['#{A.B.C}', 5, /at most one '\.'/],
    ['#A', 1, /expected '\{'/],
    ['1 = 2', 2, /'=='/],
    ['1 & 2', 2, /'&&'/],
    ['2 ^ 3', 2, /unexpected character '\^'/],
    ['foo(1)', 0, /unknown function 'foo'/],
    ['HH_POOR + 1', 0, /#\{CODE\}/],
    ['if(1, 2)', 0, /takes 3 arguments, got 2/],
    ['isNull()', 0, /takes 1 argument, got 0/],
    ['greatest()', 0, /at least 1/],
    ['1e', 2, /exponent/],
    ['12abc', 2, /after a number/],
    ['1 * )', 4, /unexpected '\)'/],
  ])('rejects %j at position %i', (text, position, message) => {
    const err = errorOf(text);
    expect(err.position).toBe(position);
    expect(err.message).toMatch(message);
    expect(err.code).toBe('FORMULA_SYNTAX');
  });

  it('rejects absurd nesting instead of overflowing the stack', () => {
    expect(errorOf('('.repeat(3000) + '1' + ')'.repeat(3000)).message).toMatch(/nested deeper/);
    expect(errorOf('-'.repeat(5000) + '1').message).toMatch(/nested deeper/);
  });

  it('lists referenced elements once, in order', () => {
    expect(referencedElements(parseExpression('#{B} + #{A.X} + #{B} + #{A} + #{A.X}'))).toEqual([
      { element: 'B' },
      { element: 'A', optionCombo: 'X' },
      { element: 'A' },
    ]);
  });
});

describe('missing data and division by zero', () => {
  it('propagates null through arithmetic, comparison, logic and greatest/least', () => {
    for (const f of ['#{M} + 1', '-#{M}', '#{M} * 0', '#{M} == #{M}', '#{M} < 1', '0 && #{M}', '1 || #{M}', '!#{M}', 'greatest(1, #{M})', 'least(#{M})']) {
      expect(ev(f), f).toBeNull();
    }
  });

  it('does not propagate through isNull, isNotNull and if', () => {
    expect(ev('isNull(#{M} + 1)')).toBe(1);
    expect(ev('isNotNull(#{M})')).toBe(0);
    expect(ev('if(isNull(#{M}), 0, #{M})')).toBe(0);
    expect(ev('if(1, 5, #{M})')).toBe(5);
    expect(ev('if(#{M}, 1, 2)')).toBe(2); // a null condition takes the else branch
    expect(ev('if(1, #{M}, 2)')).toBeNull();
  });

  it('makes division by zero null, and overflow null', () => {
    expect(ev('#{A} / #{ZERO}')).toBeNull();
    expect(ev('#{A} / 0 + 1')).toBeNull();
    expect(ev('isNull(1 / 0)')).toBe(1);
    expect(ev('1e308 * 10')).toBeNull();
    expect(ev('0 / 5')).toBe(0);
    expect(Object.is(ev('-0'), 0)).toBe(true);
  });

  it('treats non-finite lookups as missing', () => {
    expect(evaluate(parseExpression('#{X}'), () => Number.NaN)).toBeNull();
  });
});

describe('computeIndicator', () => {
  const rate = { code: 'POOR_RATE', name: 'poverty rate', numerator: '#{A}', denominator: '#{B} + #{A}', factor: 100 };
  it('computes numerator / denominator x factor', () => {
    expect(computeIndicator(rate, lookup)).toEqual({ value: (10 / 14) * 100, numerator: 10, denominator: 14 });
  });
  it('is null when a side is null or the denominator is 0', () => {
    expect(computeIndicator({ ...rate, denominator: '#{ZERO}' }, lookup)).toEqual({ value: null, numerator: 10, denominator: 0 });
    expect(computeIndicator({ ...rate, numerator: '#{M}' }, lookup)).toEqual({ value: null, numerator: null, denominator: 14 });
  });
});

// --- property: print then parse gives the same tree -------------------------------------------
const code = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/);
const binaryOps: BinaryOperator[] = ['+', '-', '*', '/', '<', '<=', '>', '>=', '==', '!=', '&&', '||'];
const { expr } = fc.letrec<{ expr: Expression }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(
      fc.double({ min: 0, max: 1e25, noNaN: true, noDefaultInfinity: true }).map((value): Expression => ({ kind: 'number', value: value === 0 ? 0 : value })),
      fc.nat(1000).map((value): Expression => ({ kind: 'number', value })),
    ),
    fc.record({ element: code, optionCombo: fc.option(code, { nil: undefined }) }).map(
      ({ element, optionCombo }): Expression => (optionCombo === undefined ? { kind: 'ref', element } : { kind: 'ref', element, optionCombo }),
    ),
    fc.record({ op: fc.constantFrom<'-' | '!'>('-', '!'), operand: tie('expr') }).map((n): Expression => ({ kind: 'unary', ...n })),
    fc.record({ op: fc.constantFrom(...binaryOps), left: tie('expr'), right: tie('expr') }).map((n): Expression => ({ kind: 'binary', ...n })),
    fc.oneof(
      fc.tuple(tie('expr'), tie('expr'), tie('expr')).map((args): Expression => ({ kind: 'call', fn: 'if', args })),
      fc.tuple(fc.constantFrom<'isNull' | 'isNotNull'>('isNull', 'isNotNull'), tie('expr')).map(([fn, a]): Expression => ({ kind: 'call', fn, args: [a] })),
      fc.tuple(fc.constantFrom<'greatest' | 'least'>('greatest', 'least'), fc.array(tie('expr'), { minLength: 1, maxLength: 4 })).map(
        ([fn, args]): Expression => ({ kind: 'call', fn, args }),
      ),
    ),
  ),
}));

describe('printExpression', () => {
  it('round-trips: parseExpression(printExpression(ast)) deep-equals ast', () => {
    fc.assert(
      fc.property(expr, (ast) => {
        const text = printExpression(ast);
        expect(parseExpression(text)).toEqual(ast);
        expect(printExpression(parseExpression(text))).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('evaluation never throws and returns a finite number or null', () => {
    const values = fc.dictionary(code, fc.oneof(fc.double({ noNaN: false }), fc.constant(undefined)));
    fc.assert(
      fc.property(expr, values, (ast, dict) => {
        const v = evaluate(ast, (e) => dict[e]);
        expect(v === null || Number.isFinite(v)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
