/**
 * The formula language: DHIS2-style expressions over data elements, used by indicators, validation
 * rules and composite indices. See docs/catalog.md for the grammar and the missing-data rules.
 */
export type {
  ArithmeticOperator,
  BinaryNode,
  BinaryOperator,
  CallNode,
  ComparisonOperator,
  ElementReference,
  Expression,
  FunctionName,
  LogicalOperator,
  NumberNode,
  RefNode,
  UnaryNode,
  UnaryOperator,
} from './ast';
export { BINARY_PRECEDENCE, FUNCTION_ARITY, FUNCTION_NAMES, UNARY_PRECEDENCE } from './ast';
export { FormulaError } from './errors';
export { MAX_FORMULA_LENGTH, MAX_NESTING_DEPTH, parseExpression } from './parser';
export { printExpression } from './printer';
export { evaluate, referencedElements, type Lookup } from './evaluate';
export { parseCached } from './cache';
