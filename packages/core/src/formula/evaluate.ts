import type { ElementReference, Expression } from './ast';

/**
 * Supplies the value of `#{element}` (optionCombo undefined: the element's total over all option
 * combos) or `#{element.optionCombo}`. `undefined` means no data.
 */
export type Lookup = (element: string, optionCombo?: string) => number | undefined;

/**
 * Evaluates an expression. The result is a finite number or null ("no value"). Semantics:
 * - Missing data: a reference whose lookup returns undefined (or a non-finite number) is null.
 * - null propagates like SQL NULL: any arithmetic, comparison, logical operator or greatest/least with
 *   a null operand is null. The only exceptions are isNull, isNotNull and if.
 * - isNull(x) is 1 when x is null, else 0; isNotNull(x) is the opposite. Both never return null.
 * - if(c, a, b) evaluates c; when c is a non-zero number the result is a, otherwise (0 or null) b.
 *   Only the chosen branch is evaluated, so a null in the other branch does not propagate.
 * - Division by zero is null; so is any result that overflows to ±Infinity or NaN.
 * - Booleans are numbers: comparisons, &&, || and ! give 1 (true) or 0 (false); any non-zero
 *   number is true. Comparisons are exact (no tolerance).
 * - greatest/least return the largest/smallest argument (null if any argument is null).
 */
export function evaluate(ast: Expression, lookup: Lookup): number | null {
  return finite(evaluateNode(ast, lookup));
}

function finite(x: number | null): number | null {
  return x === null || !Number.isFinite(x) ? null : x === 0 ? 0 : x; // normalise -0 to 0
}

function bool(b: boolean): number {
  return b ? 1 : 0;
}

function evaluateNode(e: Expression, lookup: Lookup): number | null {
  switch (e.kind) {
    case 'number':
      return e.value;
    case 'ref': {
      const v = e.optionCombo === undefined ? lookup(e.element) : lookup(e.element, e.optionCombo);
      return typeof v === 'number' && Number.isFinite(v) ? v : null;
    }
    case 'unary': {
      const v = evaluateNode(e.operand, lookup);
      if (v === null) return null;
      return e.op === '-' ? -v : bool(v === 0);
    }
    case 'binary': {
      const l = evaluateNode(e.left, lookup);
      const r = evaluateNode(e.right, lookup);
      if (l === null || r === null) return null;
      switch (e.op) {
        case '+':
          return finite(l + r);
        case '-':
          return finite(l - r);
        case '*':
          return finite(l * r);
        case '/':
          return r === 0 ? null : finite(l / r);
        case '<':
          return bool(l < r);
        case '<=':
          return bool(l <= r);
        case '>':
          return bool(l > r);
        case '>=':
          return bool(l >= r);
        case '==':
          return bool(l === r);
        case '!=':
          return bool(l !== r);
        case '&&':
          return bool(l !== 0 && r !== 0);
        case '||':
          return bool(l !== 0 || r !== 0);
      }
      break;
    }
    case 'call': {
      switch (e.fn) {
        case 'isNull':
          return bool(evaluateNode(e.args[0] as Expression, lookup) === null);
        case 'isNotNull':
          return bool(evaluateNode(e.args[0] as Expression, lookup) !== null);
        case 'if': {
          const c = evaluateNode(e.args[0] as Expression, lookup);
          return evaluateNode((c !== null && c !== 0 ? e.args[1] : e.args[2]) as Expression, lookup);
        }
        case 'greatest':
        case 'least': {
          const values = e.args.map((a) => evaluateNode(a, lookup));
          if (values.some((v) => v === null)) return null;
          return e.fn === 'greatest' ? Math.max(...(values as number[])) : Math.min(...(values as number[]));
        }
      }
    }
  }
  return null;
}

/** Every data element reference in the expression, in order of first appearance, without duplicates. */
export function referencedElements(ast: Expression): ElementReference[] {
  const seen = new Set<string>();
  const out: ElementReference[] = [];
  const walk = (e: Expression): void => {
    switch (e.kind) {
      case 'ref': {
        const key = `${e.element}.${e.optionCombo ?? ''}`;
        if (!seen.has(key)) {
          seen.add(key);
          out.push(e.optionCombo === undefined ? { element: e.element } : { element: e.element, optionCombo: e.optionCombo });
        }
        return;
      }
      case 'unary':
        return walk(e.operand);
      case 'binary':
        walk(e.left);
        return walk(e.right);
      case 'call':
        return e.args.forEach(walk);
      case 'number':
        return;
    }
  };
  walk(ast);
  return out;
}
