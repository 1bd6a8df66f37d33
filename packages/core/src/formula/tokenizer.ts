import { FormulaError } from './errors';

export type TokenType = 'number' | 'ref' | 'ident' | 'op' | '(' | ')' | ',' | 'eof';

export interface Token {
  type: TokenType;
  /** source text of the token (for 'ref': the inside of the braces) */
  text: string;
  /** 0-based offset of the token's first character */
  position: number;
}

const OPERATORS = ['<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '<', '>', '!'] as const;
const CODE_PART = /^[A-Za-z0-9_]+$/;

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}
function isIdentStart(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');
}
function isIdentPart(c: string | undefined): boolean {
  return isIdentStart(c) || isDigit(c);
}
function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/** Splits formula text into tokens. Throws FormulaError on the first character that starts no token. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c) || (c === '.' && isDigit(text[i + 1]))) {
      while (isDigit(text[i])) i++;
      if (text[i] === '.') {
        i++;
        while (isDigit(text[i])) i++;
      }
      if (text[i] === 'e' || text[i] === 'E') {
        let j = i + 1;
        if (text[j] === '+' || text[j] === '-') j++;
        if (!isDigit(text[j])) throw new FormulaError('expected a digit in the exponent', j, text);
        while (isDigit(text[j])) j++;
        i = j;
      }
      if (isIdentStart(text[i]) || text[i] === '.') throw new FormulaError(`unexpected '${text[i]}' after a number`, i, text);
      tokens.push({ type: 'number', text: text.slice(start, i), position: start });
      continue;
    }
    if (c === '#') {
      if (text[i + 1] !== '{') throw new FormulaError("expected '{' after '#'", i + 1, text);
      const close = text.indexOf('}', i + 2);
      if (close < 0) throw new FormulaError("unterminated reference: missing '}'", i, text);
      const inner = text.slice(i + 2, close);
      const parts = inner.split('.');
      if (parts.length > 2) {
        throw new FormulaError("a reference has at most one '.' (ELEMENT.OPTIONCOMBO)", i + 2 + inner.indexOf('.', inner.indexOf('.') + 1), text);
      }
      let offset = i + 2;
      for (const part of parts) {
        if (!CODE_PART.test(part)) {
          const bad = [...part].findIndex((ch) => !/[A-Za-z0-9_]/.test(ch));
          throw new FormulaError(
            part === '' ? 'empty code in reference' : `invalid character '${part[bad]}' in reference`,
            part === '' ? offset : offset + bad,
            text,
          );
        }
        offset += part.length + 1;
      }
      tokens.push({ type: 'ref', text: inner, position: start });
      i = close + 1;
      continue;
    }
    if (isIdentStart(c)) {
      while (isIdentPart(text[i])) i++;
      tokens.push({ type: 'ident', text: text.slice(start, i), position: start });
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ type: c, text: c, position: start });
      i++;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) {
      tokens.push({ type: 'op', text: op, position: start });
      i += op.length;
      continue;
    }
    if (c === '=' || c === '&' || c === '|') {
      throw new FormulaError(`unexpected '${c}' (did you mean '${c}${c}'?)`, i, text);
    }
    throw new FormulaError(`unexpected character '${c}'`, i, text);
  }
  tokens.push({ type: 'eof', text: '', position: text.length });
  return tokens;
}
