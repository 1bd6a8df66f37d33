import {
  BINARY_PRECEDENCE,
  FUNCTION_ARITY,
  type BinaryOperator,
  type Expression,
  type FunctionName,
} from './ast';
import { FormulaError } from './errors';
import { tokenize, type Token } from './tokenizer';

/** Deeper nesting than this is rejected rather than risking a stack overflow. */
export const MAX_NESTING_DEPTH = 200;
/** Longer formulas are rejected outright. */
export const MAX_FORMULA_LENGTH = 10_000;

/**
 * Grammar (lowest precedence first; every binary level is left-associative):
 *   expr       := or
 *   or         := and ('||' and)*
 *   and        := equality ('&&' equality)*
 *   equality   := relational (('==' | '!=') relational)*
 *   relational := additive (('<' | '<=' | '>' | '>=') additive)*
 *   additive   := term (('+' | '-') term)*
 *   term       := unary (('*' | '/') unary)*
 *   unary      := ('-' | '!') unary | primary
 *   primary    := NUMBER | '#{' CODE ('.' CODE)? '}' | FUNCTION '(' expr (',' expr)* ')' | '(' expr ')'
 */
export function parseExpression(text: string): Expression {
  if (typeof text !== 'string') throw new FormulaError('a formula must be a string', 0, String(text));
  if (text.length > MAX_FORMULA_LENGTH) {
    throw new FormulaError(`formula longer than ${MAX_FORMULA_LENGTH} characters`, MAX_FORMULA_LENGTH, text);
  }
  const parser = new Parser(text, tokenize(text));
  const expr = parser.expression(0);
  parser.expectEnd();
  return expr;
}

const LEVELS: readonly (readonly BinaryOperator[])[] = [
  ['||'],
  ['&&'],
  ['==', '!='],
  ['<', '<=', '>', '>='],
  ['+', '-'],
  ['*', '/'],
];

// keep LEVELS and BINARY_PRECEDENCE in step
for (const [i, ops] of LEVELS.entries()) for (const op of ops) if (BINARY_PRECEDENCE[op] !== i + 1) throw new Error('precedence table mismatch');

class Parser {
  private index = 0;
  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }
  private next(): Token {
    const t = this.peek();
    if (t.type !== 'eof') this.index++;
    return t;
  }
  private fail(message: string, token: Token): never {
    throw new FormulaError(message, token.position, this.text);
  }
  private describe(t: Token): string {
    return t.type === 'eof' ? 'end of formula' : t.type === 'ref' ? `'#{${t.text}}'` : `'${t.text}'`;
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.type !== 'eof') this.fail(`unexpected ${this.describe(t)}: expected an operator or end of formula`, t);
  }

  expression(depth: number): Expression {
    if (depth > MAX_NESTING_DEPTH) this.fail(`formula nested deeper than ${MAX_NESTING_DEPTH} levels`, this.peek());
    return this.binary(0, depth);
  }

  private binary(level: number, depth: number): Expression {
    const ops = LEVELS[level];
    if (!ops) return this.unary(depth);
    let left = this.binary(level + 1, depth);
    for (;;) {
      const t = this.peek();
      if (t.type !== 'op' || !ops.includes(t.text as BinaryOperator)) return left;
      this.next();
      const right = this.binary(level + 1, depth);
      left = { kind: 'binary', op: t.text as BinaryOperator, left, right };
    }
  }

  private unary(depth: number): Expression {
    const t = this.peek();
    if (t.type === 'op' && (t.text === '-' || t.text === '!')) {
      if (depth > MAX_NESTING_DEPTH) this.fail(`formula nested deeper than ${MAX_NESTING_DEPTH} levels`, t);
      this.next();
      return { kind: 'unary', op: t.text, operand: this.unary(depth + 1) };
    }
    return this.primary(depth);
  }

  private primary(depth: number): Expression {
    const t = this.next();
    switch (t.type) {
      case 'number': {
        const value = Number(t.text);
        if (!Number.isFinite(value)) this.fail(`number ${t.text} is out of range`, t);
        return { kind: 'number', value };
      }
      case 'ref': {
        const dot = t.text.indexOf('.');
        return dot < 0
          ? { kind: 'ref', element: t.text }
          : { kind: 'ref', element: t.text.slice(0, dot), optionCombo: t.text.slice(dot + 1) };
      }
      case 'ident':
        return this.call(t, depth);
      case '(': {
        const inner = this.expression(depth + 1);
        const close = this.next();
        if (close.type !== ')') this.fail(`expected ')' but found ${this.describe(close)}`, close);
        return inner;
      }
      default:
        return this.fail(`unexpected ${this.describe(t)}: expected a number, a #{reference}, a function or '('`, t);
    }
  }

  private call(name: Token, depth: number): Expression {
    if (!Object.hasOwn(FUNCTION_ARITY, name.text)) {
      if (this.peek().type !== '(') this.fail(`unexpected name '${name.text}': data elements are written #{CODE}`, name);
      this.fail(`unknown function '${name.text}' (known: ${Object.keys(FUNCTION_ARITY).join(', ')}); data elements are written #{CODE}`, name);
    }
    const fn = name.text as FunctionName;
    const open = this.next();
    if (open.type !== '(') this.fail(`expected '(' after function '${fn}'`, open);
    const args: Expression[] = [];
    if (this.peek().type !== ')') {
      for (;;) {
        args.push(this.expression(depth + 1));
        const sep = this.peek();
        if (sep.type === ',') {
          this.next();
          continue;
        }
        break;
      }
    }
    const close = this.next();
    if (close.type !== ')') this.fail(`expected ',' or ')' in call to '${fn}' but found ${this.describe(close)}`, close);
    const [min, max] = FUNCTION_ARITY[fn];
    if (args.length < min || args.length > max) {
      const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      this.fail(`function '${fn}' takes ${expected} argument${min === 1 && max === 1 ? '' : 's'}, got ${args.length}`, name);
    }
    return { kind: 'call', fn, args };
  }
}
