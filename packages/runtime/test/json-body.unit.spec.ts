import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TallyError } from '@tally/contracts';
import { MAX_JSON_DEPTH, parseJsonBody } from '../src/http/json-body';

const refusal = (text: string): TallyError => {
  try {
    parseJsonBody(text);
  } catch (err) {
    if (err instanceof TallyError) return err;
    throw err;
  }
  throw new Error(`accepted: ${text}`);
};

describe('the JSON body parser', () => {
  it('parses what JSON.parse parses (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value);
        // keys that could pollute prototypes are refused on purpose (tested below), whatever JSON.parse makes of them
        fc.pre(!/"(__proto__|constructor|prototype)":/.test(text));
        expect(parseJsonBody(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses what JSON.parse refuses, with an offset and never a fragment of the text (property)', () => {
    const secret = 'hunter2-SECRET-xyz';
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), (before, after) => {
        const text = `${before}{"username":"admin","password":"${secret}"${after}`;
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        fc.pre(!valid && text.trim() !== '');
        const e = refusal(text);
        expect(['MALFORMED_JSON', 'INVALID_REQUEST']).toContain(e.code);
        expect(e.message).not.toContain(secret);
        expect(JSON.stringify(e.details ?? null)).not.toContain(secret);
      }),
      { numRuns: 300 },
    );
  });

  it('says where a malformed body broke: offset, line and column', () => {
    const e = refusal('{"username": "admin",\n "password": hunter2}');
    expect(e.code).toBe('MALFORMED_JSON');
    expect(e.details).toEqual({ offset: 35, line: 2, column: 14 });
    expect(e.message).toBe('the body is not valid JSON: expected a value at offset 35 (line 2, column 14)');
    expect(refusal('{"a": "unterminated').message).toContain('at the end of the body');
    expect(refusal('{"a": 1} trailing').code).toBe('MALFORMED_JSON');
    expect(refusal('"\\x"').code).toBe('MALFORMED_JSON');
    expect(refusal('"tab\there"').code).toBe('MALFORMED_JSON');
    // a line break typed into a string (a password pasted with its newline): says what to write instead
    expect(refusal('{"password": "abc\ndef"}').message).toBe(
      'the body is not valid JSON: expected an escape sequence (\\n, \\t, \\u0000) instead of a raw control character at offset 17 (line 1, column 18)',
    );
    expect(refusal('-').code).toBe('MALFORMED_JSON');
    expect(refusal('01').code).toBe('MALFORMED_JSON');
  });

  it('refuses nesting deeper than the limit with its own code, even 100,000 levels deep', () => {
    expect(parseJsonBody('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH))).toBeDefined();
    for (const depth of [MAX_JSON_DEPTH + 1, 5_000, 100_000]) {
      const e = refusal('['.repeat(depth) + ']'.repeat(depth));
      expect(e.code).toBe('JSON_TOO_DEEP');
      expect(e.httpStatus).toBe(400);
      expect(e.details).toEqual({ offset: MAX_JSON_DEPTH, maxDepth: MAX_JSON_DEPTH });
    }
    expect(refusal('{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000)).code).toBe('JSON_TOO_DEEP');
    // brackets inside strings, escaped quotes among them, are text
    const inText = `{"a": "${'[{'.repeat(MAX_JSON_DEPTH)}\\"${'['.repeat(MAX_JSON_DEPTH)}"}`;
    expect(parseJsonBody(inText)).toEqual(JSON.parse(inText));
    // malformed and too deep: whichever comes first in the text
    expect(refusal('{"a": x, "b": ' + '['.repeat(100) + ']'.repeat(100) + '}').code).toBe('MALFORMED_JSON');
    expect(refusal('['.repeat(100) + ']'.repeat(99) + ', x]').code).toBe('JSON_TOO_DEEP');
  });

  it('still refuses prototype keys', () => {
    expect(refusal('{"__proto__": {"x": 1}}').code).toBe('INVALID_REQUEST');
    // spelled with escapes, or deep inside
    expect(refusal('{"\\u005f_proto__": {"x": 1}}').code).toBe('INVALID_REQUEST');
    expect(refusal('{"a": [{"b": {"constr\\u0075ctor": 1}}]}').code).toBe('INVALID_REQUEST');
    expect(refusal('{"a": {"prototype": 1}}').code).toBe('INVALID_REQUEST');
    // escapes elsewhere and Vietnamese text parse as usual
    expect(parseJsonBody('{"t\\u00ean": "Xã Tân Lập", "n": [1, 2.5]}')).toEqual({ tên: 'Xã Tân Lập', n: [1, 2.5] });
  });
});
