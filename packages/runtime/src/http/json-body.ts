import { TallyError } from '@tally/contracts';

/**
 * The API's JSON body parser. A refusal says where the text broke (offset, line, column) and never quotes it:
 * a malformed sign-in body must not come back with the password in the error. Nesting deeper than
 * MAX_JSON_DEPTH is refused before any recursive work (400 JSON_TOO_DEEP), and keys able to pollute
 * prototypes are refused (400 INVALID_REQUEST).
 */
export const MAX_JSON_DEPTH = 32;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** every forbidden key contains `proto` or `constructor` once decoded; JSON can only hide letters behind `\u` */
const MAY_HOLD_FORBIDDEN_KEY = /proto|constructor|\\u/;

export function parseJsonBody(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (text.trim() === '') throw new TallyError('MALFORMED_JSON', 'the body is empty; send a JSON document');
  // The checker (a walk in JavaScript) runs only to say what is wrong: when the brackets nest too deep (before
  // JSON.parse does any deep work; it then refuses whichever comes first, a syntax error or the depth) and when
  // JSON.parse refuses the text. A well-formed shallow body, nearly every one, is parsed natively alone.
  if (nestingOf(text) > maxDepth) new JsonChecker(text, maxDepth).document();
  try {
    // A forbidden key is spelled out in the text or hidden behind a \u escape; a text with neither needs no
    // reviver (the reviver's walk is most of the cost)
    if (!MAY_HOLD_FORBIDDEN_KEY.test(text)) return JSON.parse(text) as unknown;
    return JSON.parse(text, (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) throw new TallyError('INVALID_REQUEST', `the key "${key}" is not allowed`);
      return value;
    });
  } catch (error) {
    if (error instanceof TallyError) throw error;
    new JsonChecker(text, maxDepth).document();
    // JSON.parse and the checker disagree (neither is known to): refused all the same, without the position
    throw new TallyError('MALFORMED_JSON', 'the body is not valid JSON');
  }
}

/**
 * The deepest nesting of brackets outside strings: exact for well-formed JSON, and whatever it says of a malformed
 * text, the checker has the last word.
 */
function nestingOf(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // the escaped character cannot end the string
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

/** A JSON syntax check (RFC 8259) that reports the first offending offset; recursion is bounded by maxDepth. */
class JsonChecker {
  private i = 0;
  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  document(): void {
    this.value(0);
    this.space();
    if (this.i < this.text.length) this.fail('the end of the document');
  }

  private value(depth: number): void {
    this.space();
    const c = this.text[this.i];
    if (c === '{' || c === '[') return this.container(c, depth + 1);
    if (c === '"') return this.string();
    if (c === 't') return this.literal('true');
    if (c === 'f') return this.literal('false');
    if (c === 'n') return this.literal('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    this.fail('a value');
  }

  private container(open: '{' | '[', depth: number): void {
    if (depth > this.maxDepth) {
      throw new TallyError('JSON_TOO_DEEP', `the JSON document is nested deeper than ${this.maxDepth} levels (at offset ${this.i})`, { offset: this.i, maxDepth: this.maxDepth });
    }
    const close = open === '{' ? '}' : ']';
    this.i++;
    this.space();
    if (this.text[this.i] === close) {
      this.i++;
      return;
    }
    for (;;) {
      if (open === '{') {
        this.space();
        if (this.text[this.i] !== '"') this.fail('a property name in double quotes');
        this.string();
        this.space();
        if (this.text[this.i] !== ':') this.fail("':'");
        this.i++;
      }
      this.value(depth);
      this.space();
      const c = this.text[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === close) {
        this.i++;
        return;
      }
      this.fail(`',' or '${close}'`);
    }
  }

  private string(): void {
    this.i++; // opening quote
    const text = this.text;
    while (this.i < text.length) {
      const code = text.charCodeAt(this.i);
      if (code === 0x22) {
        this.i++;
        return;
      }
      if (code === 0x5c) {
        const e = text[this.i + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) this.i += 2;
        else if (e === 'u' && this.matches(HEX4, this.i + 2)) this.i += 6;
        else this.fail('a valid escape sequence');
      } else if (code < 0x20) this.fail('an escape sequence (\\n, \\t, \\u0000) instead of a raw control character');
      else this.i++;
    }
    this.fail('a closing double quote');
  }

  private number(): void {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.text);
    if (!m || m[0] === '-') this.fail('a number');
    this.i += m![0].length;
  }

  private literal(word: string): void {
    if (this.text.startsWith(word, this.i)) this.i += word.length;
    else this.fail('a value');
  }

  private matches(re: RegExp, at: number): boolean {
    re.lastIndex = at;
    return re.test(this.text);
  }

  private space(): void {
    const t = this.text;
    while (this.i < t.length && (t[this.i] === ' ' || t[this.i] === '\n' || t[this.i] === '\r' || t[this.i] === '\t')) this.i++;
  }

  private fail(expected: string): never {
    const before = this.text.slice(0, this.i);
    const line = before.split('\n').length;
    const column = this.i - before.lastIndexOf('\n');
    const at = this.i >= this.text.length ? 'the end of the body' : `offset ${this.i} (line ${line}, column ${column})`;
    throw new TallyError('MALFORMED_JSON', `the body is not valid JSON: expected ${expected} at ${at}`, { offset: this.i, line, column });
  }
}
