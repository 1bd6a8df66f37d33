import type { Expression } from '../formula/ast';
import { FormulaError } from '../formula/errors';
import { parseExpression } from '../formula/parser';
import { cartesianCodes } from './option-combos';
import type { AggregationType, Catalog, PeriodType, ValueType } from './types';

export type CatalogProblemCode =
  /** wrong JSON type, missing required field, value outside its enum, negative number... */
  | 'INVALID_FIELD'
  /** a property the catalog format does not define (usually a typo) */
  | 'UNKNOWN_FIELD'
  /** a code not matching /^[A-Z][A-Z0-9_]{0,63}$/ */
  | 'INVALID_CODE'
  | 'DUPLICATE_CODE'
  | 'UNKNOWN_REFERENCE'
  | 'FORMULA_SYNTAX'
  | 'TYPE_MISMATCH'
  | 'EMPTY_TEMPLATE'
  /** effectiveFrom after effectiveTo */
  | 'INVALID_DATE_RANGE'
  /** two option tuples of a category combo join to the same option combo code */
  | 'AMBIGUOUS_OPTION_COMBO';

export interface CatalogProblem {
  code: CatalogProblemCode;
  /** where, e.g. "indicators[2].numerator"; "" is the catalog itself */
  path: string;
  message: string;
  /** FORMULA_SYNTAX only: 0-based offset in the formula */
  position?: number;
}

export type CatalogValidation = { ok: true; catalog: Catalog } | { ok: false; problems: CatalogProblem[] };

export const CODE_PATTERN = /^[A-Z][A-Z0-9_]{0,63}$/;
/** a catalog version: it names files, URLs and events, so not any string */
export const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const VALUE_TYPES: readonly ValueType[] = ['INTEGER', 'NUMBER', 'PERCENTAGE', 'MONEY', 'BOOLEAN', 'TEXT'];
export const AGGREGATION_TYPES: readonly AggregationType[] = ['SUM', 'AVERAGE', 'AVERAGE_SUM_ORG_UNIT', 'LAST', 'MIN', 'MAX', 'NONE'];
export const PERIOD_TYPES: readonly PeriodType[] = ['MONTHLY', 'QUARTERLY', 'SIXMONTHLY', 'YEARLY'];
/** A category combo with more option combos than this is refused (a typo in a category, most likely). */
export const MAX_OPTION_COMBOS = 10_000;
const NUMERIC_AGGREGATIONS: readonly AggregationType[] = ['SUM', 'AVERAGE', 'AVERAGE_SUM_ORG_UNIT', 'MIN', 'MAX'];

type Json = Record<string, unknown>;

/**
 * Checks a catalog (typically parsed JSON) and lists EVERY problem found, each with a path. Strings
 * are NFC-normalised first, so "Hà Giang" typed in NFD and NFC are the same name, and the returned
 * catalog holds the normalised strings (a deep copy: the input is not modified).
 *
 * No reference cycle can occur, so none is checked: formulas reference data elements only (an
 * indicator cannot reference another indicator, a data element is never computed), and composite
 * indices reference indicators or element formulas; each layer only points at the one below.
 */
export function validateCatalog(input: unknown): CatalogValidation {
  const v = new Validator();
  const normalized = v.normalize(input, '');
  v.catalog(normalized);
  return v.problems.length === 0 ? { ok: true, catalog: normalized as Catalog } : { ok: false, problems: v.problems };
}

function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'string') return `"${x.length > 40 ? `${x.slice(0, 40)}...` : x}"`;
  if (typeof x === 'object') return 'an object';
  return `${typeof x} ${String(x)}`;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
function isIsoDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

interface ElementInfo {
  valueType: unknown;
  aggregation: unknown;
  categoryCombo: unknown;
}

type FormulaContext = 'arithmetic' | 'logical' | 'presence';
type FormulaOwner = 'indicator' | 'rule' | 'composite';

class Validator {
  readonly problems: CatalogProblem[] = [];
  private readonly seen = new WeakSet<object>();
  private readonly elements = new Map<string, ElementInfo>();
  private readonly categories = new Map<string, string[]>();
  private readonly combos = new Map<string, Set<string> | null>();
  private readonly indicators = new Set<string>();

  private add(code: CatalogProblemCode, path: string, message: string, position?: number): void {
    this.problems.push(position === undefined ? { code, path, message } : { code, path, message, position });
  }

  /** Deep copy with every string NFC-normalised; non-JSON values are kept (and reported later by type). */
  normalize(x: unknown, path: string): unknown {
    if (typeof x === 'string') return x.normalize('NFC');
    if (typeof x !== 'object' || x === null) return x;
    if (this.seen.has(x)) {
      this.add('INVALID_FIELD', path, 'circular structure');
      return null;
    }
    this.seen.add(x);
    const out = Array.isArray(x)
      ? x.map((item, i) => this.normalize(item, `${path}[${i}]`))
      : Object.fromEntries(Object.entries(x).map(([k, val]) => [k.normalize('NFC'), this.normalize(val, join(path, k))]));
    this.seen.delete(x);
    return out;
  }

  // ---- field readers: report and return undefined when wrong -------------------------------------

  private object(x: unknown, path: string, what: string, allowed: readonly string[]): Json | undefined {
    if (!isObject(x)) {
      this.add('INVALID_FIELD', path, `${what} must be an object, got ${describe(x)}`);
      return undefined;
    }
    for (const key of Object.keys(x)) {
      if (!allowed.includes(key)) this.add('UNKNOWN_FIELD', join(path, key), `unknown field "${key}" in ${what} (allowed: ${allowed.join(', ')})`);
    }
    return x;
  }

  private string(o: Json, key: string, path: string, required: boolean): string | undefined {
    const x = o[key];
    if (x === undefined && !required) return undefined;
    if (typeof x !== 'string' || x.trim() === '') {
      this.add('INVALID_FIELD', join(path, key), x === undefined ? `${key} is required` : `${key} must be a non-empty string, got ${describe(x)}`);
      return undefined;
    }
    return x;
  }

  private code(o: Json, path: string): string | undefined {
    const c = this.string(o, 'code', path, true);
    if (c !== undefined && !CODE_PATTERN.test(c)) {
      this.add('INVALID_CODE', join(path, 'code'), `code "${c}" must match ${CODE_PATTERN.source} (upper-case letter, then upper-case letters, digits or '_', at most 64)`);
    }
    return c;
  }

  private oneOf<T extends string>(o: Json, key: string, path: string, values: readonly T[], required: boolean): T | undefined {
    const x = o[key];
    if (x === undefined && !required) return undefined;
    if (typeof x !== 'string' || !(values as readonly string[]).includes(x)) {
      this.add('INVALID_FIELD', join(path, key), x === undefined ? `${key} is required (one of ${values.join(', ')})` : `${key} must be one of ${values.join(', ')}, got ${describe(x)}`);
      return undefined;
    }
    return x as T;
  }

  private number(o: Json, key: string, path: string, opts: { min?: number; integer?: boolean }): number | undefined {
    const x = o[key];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      this.add('INVALID_FIELD', join(path, key), x === undefined ? `${key} is required` : `${key} must be a finite number, got ${describe(x)}`);
      return undefined;
    }
    if (opts.integer && !Number.isInteger(x)) this.add('INVALID_FIELD', join(path, key), `${key} must be an integer, got ${x}`);
    if (opts.min !== undefined && x < opts.min) this.add('INVALID_FIELD', join(path, key), `${key} must be >= ${opts.min}, got ${x}`);
    return x;
  }

  private array(o: Json, key: string, path: string, required: boolean): unknown[] | undefined {
    const x = o[key];
    if (x === undefined && !required) return undefined;
    if (!Array.isArray(x)) {
      this.add('INVALID_FIELD', join(path, key), x === undefined ? `${key} is required (an array)` : `${key} must be an array, got ${describe(x)}`);
      return undefined;
    }
    return x;
  }

  private duplicates(codes: (string | undefined)[], path: (i: number) => string, what: string): void {
    const first = new Map<string, number>();
    codes.forEach((c, i) => {
      if (c === undefined) return;
      const f = first.get(c);
      if (f === undefined) first.set(c, i);
      else this.add('DUPLICATE_CODE', path(i), `duplicate ${what} "${c}" (first at index ${f})`);
    });
  }

  private date(o: Json, key: string, path: string): string | undefined {
    const x = o[key];
    if (x === undefined) return undefined;
    if (typeof x !== 'string' || !isIsoDate(x)) {
      this.add('INVALID_FIELD', join(path, key), `${key} must be an ISO date YYYY-MM-DD, got ${describe(x)}`);
      return undefined;
    }
    return x;
  }

  // ---- the catalog ------------------------------------------------------------------------------

  catalog(x: unknown): void {
    const c = this.object(x, '', 'the catalog', [
      'version', 'legalBasis', 'effectiveFrom', 'effectiveTo', 'categories', 'categoryCombos',
      'dataElements', 'indicators', 'templates', 'validationRules', 'compositeIndices',
    ]);
    if (!c) return;
    const version = this.string(c, 'version', '', true);
    if (version !== undefined && !VERSION_PATTERN.test(version)) {
      this.add('INVALID_FIELD', 'version', 'version is a code: 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');
    }
    this.string(c, 'legalBasis', '', true);
    const from = this.date(c, 'effectiveFrom', '');
    const to = this.date(c, 'effectiveTo', '');
    if (from !== undefined && to !== undefined && from > to) {
      this.add('INVALID_DATE_RANGE', 'effectiveTo', `effectiveFrom ${from} is after effectiveTo ${to}`);
    }
    // Declarations first (so references resolve regardless of order), then everything that refers.
    const categories = this.array(c, 'categories', '', false) ?? [];
    const combos = this.array(c, 'categoryCombos', '', false) ?? [];
    const elements = this.array(c, 'dataElements', '', true) ?? [];
    const indicators = this.array(c, 'indicators', '', true) ?? [];
    const templates = this.array(c, 'templates', '', true) ?? [];
    const rules = this.array(c, 'validationRules', '', false) ?? [];
    const composites = this.array(c, 'compositeIndices', '', false) ?? [];

    this.duplicates(categories.map((e, i) => this.category(e, `categories[${i}]`)), (i) => `categories[${i}].code`, 'category code');
    this.duplicates(combos.map((e, i) => this.categoryCombo(e, `categoryCombos[${i}]`)), (i) => `categoryCombos[${i}].code`, 'category combo code');
    this.duplicates(elements.map((e, i) => this.dataElement(e, `dataElements[${i}]`)), (i) => `dataElements[${i}].code`, 'data element code');
    const indicatorCodes = indicators.map((e, i) => this.indicatorHead(e, `indicators[${i}]`));
    this.duplicates(indicatorCodes, (i) => `indicators[${i}].code`, 'indicator code');
    indicators.forEach((e, i) => this.indicatorFormulas(e, `indicators[${i}]`));
    this.duplicates(templates.map((e, i) => this.template(e, `templates[${i}]`)), (i) => `templates[${i}].code`, 'template code');
    this.duplicates(rules.map((e, i) => this.rule(e, `validationRules[${i}]`)), (i) => `validationRules[${i}].code`, 'validation rule code');
    this.duplicates(composites.map((e, i) => this.composite(e, `compositeIndices[${i}]`)), (i) => `compositeIndices[${i}].code`, 'composite index code');
  }

  private category(x: unknown, path: string): string | undefined {
    const o = this.object(x, path, 'a category', ['code', 'name', 'options']);
    if (!o) return undefined;
    const code = this.code(o, path);
    this.string(o, 'name', path, true);
    const options = this.array(o, 'options', path, true);
    const optionCodes: string[] = [];
    if (options) {
      if (options.length === 0) this.add('INVALID_FIELD', join(path, 'options'), 'a category needs at least one option');
      const codes = options.map((opt, i) => {
        const p = `${path}.options[${i}]`;
        const oo = this.object(opt, p, 'a category option', ['code', 'name']);
        if (!oo) return undefined;
        const oc = this.code(oo, p);
        this.string(oo, 'name', p, true);
        return oc;
      });
      this.duplicates(codes, (i) => `${path}.options[${i}].code`, `option code in category ${code ?? ''}`.trim());
      for (const oc of codes) if (oc !== undefined && !optionCodes.includes(oc)) optionCodes.push(oc);
    }
    if (code !== undefined && !this.categories.has(code)) this.categories.set(code, optionCodes);
    return code;
  }

  private categoryCombo(x: unknown, path: string): string | undefined {
    const o = this.object(x, path, 'a category combo', ['code', 'name', 'categories']);
    if (!o) return undefined;
    const code = this.code(o, path);
    this.string(o, 'name', path, true);
    const cats = this.array(o, 'categories', path, true);
    let optionCombos: Set<string> | null = null;
    if (cats) {
      if (cats.length === 0) this.add('INVALID_FIELD', join(path, 'categories'), 'a category combo needs at least one category');
      const lists: string[][] = [];
      let resolved = true;
      cats.forEach((cat, i) => {
        const p = `${path}.categories[${i}]`;
        if (typeof cat !== 'string') {
          this.add('INVALID_FIELD', p, `a category code must be a string, got ${describe(cat)}`);
          resolved = false;
          return;
        }
        const options = this.categories.get(cat);
        if (!options) {
          this.add('UNKNOWN_REFERENCE', p, `unknown category "${cat}"`);
          resolved = false;
          return;
        }
        lists.push(options);
      });
      this.duplicates(cats.map((c) => (typeof c === 'string' ? c : undefined)), (i) => `${path}.categories[${i}]`, 'category in combo');
      if (resolved && lists.length > 0) {
        const size = lists.reduce((n, l) => n * l.length, 1);
        if (size > MAX_OPTION_COMBOS) {
          this.add('INVALID_FIELD', join(path, 'categories'), `the combo has ${size} option combos, more than ${MAX_OPTION_COMBOS}`);
        } else {
          const all = cartesianCodes(lists);
          optionCombos = new Set(all);
          if (optionCombos.size !== all.length) {
            const dup = all.find((c, i) => all.indexOf(c) !== i);
            this.add('AMBIGUOUS_OPTION_COMBO', join(path, 'categories'), `option combo code "${dup}" stands for two different option tuples (option codes containing '_' collide when joined)`);
          }
        }
      }
    }
    if (code !== undefined && !this.combos.has(code)) this.combos.set(code, optionCombos);
    return code;
  }

  private dataElement(x: unknown, path: string): string | undefined {
    const o = this.object(x, path, 'a data element', [
      'code', 'name', 'valueType', 'aggregation', 'categoryCombo', 'unit', 'description', 'min', 'max', 'onOutOfRange', 'allowNegative', 'outlierCheck',
    ]);
    if (!o) return undefined;
    const code = this.code(o, path);
    this.string(o, 'name', path, true);
    const valueType = this.oneOf(o, 'valueType', path, VALUE_TYPES, true);
    const aggregation = this.oneOf(o, 'aggregation', path, AGGREGATION_TYPES, true);
    const combo = this.string(o, 'categoryCombo', path, false);
    if (combo !== undefined && !this.combos.has(combo)) this.add('UNKNOWN_REFERENCE', join(path, 'categoryCombo'), `unknown category combo "${combo}"`);
    this.string(o, 'unit', path, false);
    this.string(o, 'description', path, false);
    const min = o.min === undefined ? undefined : this.number(o, 'min', path, {});
    const max = o.max === undefined ? undefined : this.number(o, 'max', path, {});
    if (min !== undefined && max !== undefined && min > max) this.add('INVALID_FIELD', join(path, 'min'), `min ${min} is above max ${max}`);
    const onOutOfRange = this.oneOf(o, 'onOutOfRange', path, ['WARN', 'REJECT'] as const, false);
    if (onOutOfRange !== undefined && min === undefined && max === undefined) this.add('INVALID_FIELD', join(path, 'onOutOfRange'), 'onOutOfRange needs min or max');
    if (o.allowNegative !== undefined && typeof o.allowNegative !== 'boolean') this.add('INVALID_FIELD', join(path, 'allowNegative'), `allowNegative must be true or false, got ${describe(o.allowNegative)}`);
    if (valueType === 'INTEGER' && o.allowNegative !== true && min !== undefined && min < 0) {
      this.add('INVALID_FIELD', join(path, 'min'), `an INTEGER element counts: min ${min} is below 0; set allowNegative: true if it may be negative`);
    }
    if (o.outlierCheck !== undefined && typeof o.outlierCheck !== 'boolean') this.add('INVALID_FIELD', join(path, 'outlierCheck'), `outlierCheck must be true or false, got ${describe(o.outlierCheck)}`);
    if ((min !== undefined || max !== undefined || o.outlierCheck === true) && (valueType === 'TEXT' || valueType === 'BOOLEAN')) {
      this.add('TYPE_MISMATCH', path, `min/max and outlier checks need a numeric element, not ${valueType}`);
    }
    if (valueType === 'TEXT' && aggregation !== undefined && NUMERIC_AGGREGATIONS.includes(aggregation)) {
      this.add('TYPE_MISMATCH', join(path, 'aggregation'), `a TEXT element cannot be aggregated by ${aggregation} (use NONE or LAST)`);
    }
    if (code !== undefined && !this.elements.has(code)) this.elements.set(code, { valueType, aggregation, categoryCombo: combo });
    return code;
  }

  private indicatorHead(x: unknown, path: string): string | undefined {
    const o = this.object(x, path, 'an indicator', ['code', 'name', 'numerator', 'denominator', 'factor', 'unit', 'description']);
    if (!o) return undefined;
    const code = this.code(o, path);
    this.string(o, 'name', path, true);
    this.number(o, 'factor', path, {});
    this.string(o, 'unit', path, false);
    this.string(o, 'description', path, false);
    if (code !== undefined) this.indicators.add(code);
    return code;
  }

  private indicatorFormulas(x: unknown, path: string): void {
    if (!isObject(x)) return;
    this.formula(x, 'numerator', path, 'indicator', 'arithmetic');
    this.formula(x, 'denominator', path, 'indicator', 'arithmetic');
  }

  private template(x: unknown, path: string): string | undefined {
    const o = this.object(x, path, 'a report template', ['code', 'name', 'periodType', 'reportingLevel', 'dataElements', 'deadlineDaysAfterPeriodEnd', 'description', 'approvalLevels']);
    if (!o) return undefined;
    const code = this.code(o, path);
    this.string(o, 'name', path, true);
    this.oneOf(o, 'periodType', path, PERIOD_TYPES, true);
    this.string(o, 'reportingLevel', path, true);
    this.number(o, 'deadlineDaysAfterPeriodEnd', path, { min: 0, integer: true });
    this.string(o, 'description', path, false);
    const levels = this.array(o, 'approvalLevels', path, false);
    levels?.forEach((l, i) => {
      if (typeof l !== 'string' || l.trim() === '') this.add('INVALID_FIELD', `${path}.approvalLevels[${i}]`, `an approval level must be a non-empty string, got ${describe(l)}`);
    });
    const des = this.array(o, 'dataElements', path, true);
    if (des) {
      if (des.length === 0) this.add('EMPTY_TEMPLATE', join(path, 'dataElements'), `template ${code ?? ''} collects no data element`.replace('  ', ' '));
      des.forEach((d, i) => {
        const p = `${path}.dataElements[${i}]`;
        if (typeof d !== 'string') this.add('INVALID_FIELD', p, `a data element code must be a string, got ${describe(d)}`);
        else if (!this.elements.has(d)) this.add('UNKNOWN_REFERENCE', p, `unknown data element "${d}"`);
      });
      this.duplicates(des.map((d) => (typeof d === 'string' ? d : undefined)), (i) => `${path}.dataElements[${i}]`, 'data element in template');
    }
    return code;
  }

  private rule(x: unknown, path: string): string | undefined {
    const o = this.object(x, path, 'a validation rule', ['code', 'name', 'left', 'operator', 'right', 'importance', 'periodType', 'onViolation', 'missingValueStrategy', 'description']);
    if (!o) return undefined;
    const code = this.code(o, path);
    this.string(o, 'name', path, true);
    this.oneOf(o, 'operator', path, ['==', '!=', '<', '<=', '>', '>='] as const, true);
    this.oneOf(o, 'importance', path, ['HIGH', 'MEDIUM', 'LOW'] as const, true);
    this.oneOf(o, 'periodType', path, PERIOD_TYPES, false);
    this.oneOf(o, 'onViolation', path, ['WARN', 'REJECT'] as const, true);
    this.oneOf(o, 'missingValueStrategy', path, ['SKIP_IF_ANY_VALUE_MISSING', 'SKIP_IF_ALL_VALUES_MISSING', 'NEVER_SKIP'] as const, false);
    this.string(o, 'description', path, false);
    // each side is an operand of the rule's comparison, so a BOOLEAN element may stand alone there
    this.formula(o, 'left', path, 'rule', 'logical');
    this.formula(o, 'right', path, 'rule', 'logical');
    return code;
  }

  private composite(x: unknown, path: string): string | undefined {
    const o = this.object(x, path, 'a composite index', ['code', 'name', 'components', 'description']);
    if (!o) return undefined;
    const code = this.code(o, path);
    this.string(o, 'name', path, true);
    this.string(o, 'description', path, false);
    const comps = this.array(o, 'components', path, true);
    if (comps) {
      if (comps.length === 0) this.add('INVALID_FIELD', join(path, 'components'), 'a composite index needs at least one component');
      let total = 0;
      const codes = comps.map((cx, i) => {
        const p = `${path}.components[${i}]`;
        const co = this.object(cx, p, 'a composite component', ['code', 'name', 'maxPoints', 'indicator', 'expression']);
        if (!co) return undefined;
        const cc = this.code(co, p);
        this.string(co, 'name', p, false);
        total += Math.max(0, this.number(co, 'maxPoints', p, { min: 0 }) ?? 0);
        const hasIndicator = co.indicator !== undefined;
        const hasExpression = co.expression !== undefined;
        if (hasIndicator === hasExpression) {
          this.add('INVALID_FIELD', p, 'a component needs exactly one of "indicator" and "expression"');
        } else if (hasIndicator) {
          const ind = this.string(co, 'indicator', p, true);
          if (ind !== undefined && !this.indicators.has(ind)) this.add('UNKNOWN_REFERENCE', join(p, 'indicator'), `unknown indicator "${ind}"`);
        } else {
          this.formula(co, 'expression', p, 'composite', 'arithmetic');
        }
        return cc;
      });
      this.duplicates(codes, (i) => `${path}.components[${i}].code`, 'component code');
      if (comps.length > 0 && total <= 0) this.add('INVALID_FIELD', join(path, 'components'), 'the components\' maxPoints sum to 0');
    }
    return code;
  }

  // ---- formulas ---------------------------------------------------------------------------------

  private formula(o: Json, key: string, path: string, owner: FormulaOwner, top: FormulaContext): void {
    const text = this.string(o, key, path, true);
    if (text === undefined) return;
    const p = join(path, key);
    let ast: Expression;
    try {
      ast = parseExpression(text);
    } catch (e) {
      if (!(e instanceof FormulaError)) throw e;
      this.add('FORMULA_SYNTAX', p, e.message, e.position);
      return;
    }
    this.checkFormula(ast, top, p, owner, new Set());
  }

  private checkFormula(e: Expression, ctx: FormulaContext, path: string, owner: FormulaOwner, reported: Set<string>): void {
    const sub = (x: Expression, c: FormulaContext): void => this.checkFormula(x, c, path, owner, reported);
    switch (e.kind) {
      case 'number':
        return;
      case 'unary':
        return sub(e.operand, e.op === '-' ? 'arithmetic' : 'logical');
      case 'binary': {
        const c = ['+', '-', '*', '/'].includes(e.op) ? 'arithmetic' : 'logical';
        sub(e.left, c);
        return sub(e.right, c);
      }
      case 'call':
        if (e.fn === 'isNull' || e.fn === 'isNotNull') return sub(e.args[0] as Expression, 'presence');
        if (e.fn === 'if') {
          sub(e.args[0] as Expression, 'logical');
          sub(e.args[1] as Expression, ctx);
          return sub(e.args[2] as Expression, ctx);
        }
        return e.args.forEach((a) => sub(a, 'arithmetic'));
      case 'ref': {
        const name = e.optionCombo === undefined ? `#{${e.element}}` : `#{${e.element}.${e.optionCombo}}`;
        const once = (code: CatalogProblemCode, message: string): void => {
          const key = `${code}:${name}:${message}`;
          if (reported.has(key)) return;
          reported.add(key);
          this.add(code, path, message);
        };
        const el = this.elements.get(e.element);
        if (!el) return once('UNKNOWN_REFERENCE', `${name}: unknown data element "${e.element}"`);
        if (e.optionCombo !== undefined) {
          if (el.categoryCombo === undefined) {
            once('UNKNOWN_REFERENCE', `${name}: data element ${e.element} is not disaggregated, so it has no option combo "${e.optionCombo}"`);
          } else {
            const combos = this.combos.get(el.categoryCombo as string);
            // null: the combo itself is broken and already reported
            if (combos && !combos.has(e.optionCombo)) {
              const known = [...combos];
              once('UNKNOWN_REFERENCE', `${name}: "${e.optionCombo}" is not an option combo of ${el.categoryCombo as string} (${known.slice(0, 8).join(', ')}${known.length > 8 ? ', ...' : ''})`);
            }
          }
        }
        if (el.valueType === 'TEXT' && ctx !== 'presence') {
          once('TYPE_MISMATCH', `${name}: TEXT element ${e.element} can only be tested with isNull/isNotNull`);
        } else if (el.valueType === 'BOOLEAN' && ctx === 'arithmetic') {
          once('TYPE_MISMATCH', `${name}: BOOLEAN element ${e.element} used in arithmetic (compare it, or use it as an if condition)`);
        }
        if ((owner === 'indicator' || owner === 'composite') && el.aggregation === 'NONE') {
          once('TYPE_MISMATCH', `${name}: element ${e.element} has aggregation NONE, so it has no value above its reporting unit and cannot be used in an ${owner === 'indicator' ? 'indicator' : 'composite index'}`);
        }
        return;
      }
    }
  }
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
