/**
 * The formula language's syntax tree. Nodes are plain JSON-serialisable objects; parentheses leave no
 * node behind, so `parseExpression(printExpression(ast))` deep-equals `ast` for every tree the parser
 * can produce (number literals are finite and non-negative: `-5` is a unary minus over `5`).
 */
export type ArithmeticOperator = '+' | '-' | '*' | '/';
export type ComparisonOperator = '<' | '<=' | '>' | '>=' | '==' | '!=';
export type LogicalOperator = '&&' | '||';
export type BinaryOperator = ArithmeticOperator | ComparisonOperator | LogicalOperator;
export type UnaryOperator = '-' | '!';
export type FunctionName = 'if' | 'isNull' | 'isNotNull' | 'greatest' | 'least';

export interface NumberNode {
  kind: 'number';
  /** finite, >= 0 */
  value: number;
}

/** `#{ELEMENT}` or `#{ELEMENT.OPTIONCOMBO}` */
export interface RefNode {
  kind: 'ref';
  element: string;
  /** option combo code: the combo's options in category order joined by '_', e.g. KINH_MALE */
  optionCombo?: string;
}

export interface UnaryNode {
  kind: 'unary';
  op: UnaryOperator;
  operand: Expression;
}

export interface BinaryNode {
  kind: 'binary';
  op: BinaryOperator;
  left: Expression;
  right: Expression;
}

export interface CallNode {
  kind: 'call';
  fn: FunctionName;
  args: Expression[];
}

export type Expression = NumberNode | RefNode | UnaryNode | BinaryNode | CallNode;

export interface ElementReference {
  element: string;
  optionCombo?: string;
}

/** Arity of each function: [min, max] (max = Infinity for variadic). */
export const FUNCTION_ARITY: Readonly<Record<FunctionName, readonly [number, number]>> = {
  if: [3, 3],
  isNull: [1, 1],
  isNotNull: [1, 1],
  greatest: [1, Infinity],
  least: [1, Infinity],
};

export const FUNCTION_NAMES = Object.keys(FUNCTION_ARITY) as FunctionName[];

/** Binding strength of binary operators; higher binds tighter. All are left-associative. */
export const BINARY_PRECEDENCE: Readonly<Record<BinaryOperator, number>> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
};

/** Unary operators bind tighter than every binary operator. */
export const UNARY_PRECEDENCE = 7;
