import { BINARY_PRECEDENCE, UNARY_PRECEDENCE, type Expression } from './ast';

/**
 * Prints the canonical text of an expression: single spaces around binary operators, none inside calls
 * except after commas, the fewest parentheses that keep the tree (operators are left-associative, so a
 * right operand of equal precedence is parenthesised), numbers in JavaScript's shortest round-trip form.
 * For every tree the parser produces, parseExpression(printExpression(ast)) deep-equals ast.
 */
export function printExpression(ast: Expression): string {
  return print(ast);
}

function precedence(e: Expression): number {
  switch (e.kind) {
    case 'binary':
      return BINARY_PRECEDENCE[e.op];
    case 'unary':
      return UNARY_PRECEDENCE;
    default:
      return UNARY_PRECEDENCE + 1;
  }
}

function printNumber(value: number): string {
  // a negative literal can only come from a hand-built tree; print it as the unary minus it would parse to
  if (value < 0 || Object.is(value, -0)) return `(-${printNumber(-value)})`;
  return String(value);
}

function print(e: Expression): string {
  switch (e.kind) {
    case 'number':
      return printNumber(e.value);
    case 'ref':
      return e.optionCombo === undefined ? `#{${e.element}}` : `#{${e.element}.${e.optionCombo}}`;
    case 'call':
      return `${e.fn}(${e.args.map(print).join(', ')})`;
    case 'unary': {
      const inner = print(e.operand);
      // '-(-x)' rather than '--x'; operands weaker than a unary operator need parentheses
      const wrap = precedence(e.operand) < UNARY_PRECEDENCE || e.operand.kind === 'unary';
      return `${e.op}${wrap ? `(${inner})` : inner}`;
    }
    case 'binary': {
      const p = BINARY_PRECEDENCE[e.op];
      const left = print(e.left);
      const right = print(e.right);
      return `${precedence(e.left) < p ? `(${left})` : left} ${e.op} ${precedence(e.right) <= p ? `(${right})` : right}`;
    }
  }
}
