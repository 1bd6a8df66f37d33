import type { Expression } from './ast';
import { parseExpression } from './parser';

const MAX_ENTRIES = 1000;
const cache = new Map<string, Expression>();

/**
 * parseExpression with a bounded memo (formulas are few and evaluated often). The returned tree is
 * shared: treat it as read-only. Throws FormulaError like parseExpression (errors are not cached).
 */
export function parseCached(text: string): Expression {
  const hit = cache.get(text);
  if (hit) return hit;
  const ast = parseExpression(text);
  if (cache.size >= MAX_ENTRIES) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(text, deepFreeze(ast));
  return ast;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
