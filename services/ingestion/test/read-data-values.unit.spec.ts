import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readDataValues } from '../src/data-value-sets/read-data-values';

/** A CSV file of `rows` data rows produced lazily, counting how many rows it has handed out so far. */
function lazyCsv(rows: number): { stream: Readable; produced: () => number } {
  let produced = 0;
  function* lines(): Generator<string> {
    yield 'dataelement,period,orgunit,catoptcombo,attroptcombo,value\n';
    for (let i = 0; i < rows; i += 500) {
      let chunk = '';
      for (let j = i; j < Math.min(rows, i + 500); j++) chunk += `HH_TOTAL,2026S1,${String(10000 + (j % 3000)).padStart(5, '0')},,,${j}\n`;
      produced = Math.min(rows, i + 500);
      yield chunk;
    }
  }
  return { stream: Readable.from(lines(), { objectMode: false, highWaterMark: 1 }), produced: () => produced };
}

describe('reading data value files as they stream', () => {
  it('a 100,000-value CSV is read in batches while the file is still arriving, every value with its index and line', async () => {
    const file = lazyCsv(100_000);
    let total = 0;
    let first: { producedThen: number; size: number } | undefined;
    let last: { index: number; row?: number } | undefined;
    for await (const batch of readDataValues('csv', file.stream)) {
      first ??= { producedThen: file.produced(), size: batch.length };
      total += batch.length;
      last = batch[batch.length - 1];
    }
    expect(total).toBe(100_000);
    expect(first!.size).toBeLessThanOrEqual(1000);
    // when the first batch came out, most of the file had not been produced yet
    expect(first!.producedThen).toBeLessThan(10_000);
    expect(last).toMatchObject({ index: 99_999, row: 100_001 });
  });

  it('ADX groups give their org unit, period (start/duration) and data set to their values; categories become options', async () => {
    const adx = `<?xml version="1.0"?><adx xmlns="urn:ihe:qrph:adx:2015" exported="2026-07-01T00:00:00Z">
      <group orgUnit="01840" period="2026-07-01/P6M" dataSet="M1719_S"><dataValue dataElement="CHILDREN_5Y" SEX="FEMALE" value="3"/></group>
      <group orgUnit="01843" period="2026Q3" dataSet="M1719_Q_CAPITAL"><dataValue dataElement="CAPITAL_ALLOCATED" FUNDING_SOURCE="LOCAL" value="7" comment="Đợt 2"/></group>
    </adx>`;
    const values = [];
    // split inside a multi-byte character: the decoder must keep it whole
    const bytes = Buffer.from(adx);
    const cut = bytes.indexOf(Buffer.from('Đ')) + 1;
    for await (const b of readDataValues('xml', Readable.from([bytes.subarray(0, cut), bytes.subarray(cut)]))) values.push(...b);
    expect(values).toEqual([
      { dataElement: 'CHILDREN_5Y', value: '3', index: 0, categoryOptions: { SEX: 'FEMALE' }, dataSet: 'M1719_S', period: '2026S2', orgUnit: '01840' },
      { dataElement: 'CAPITAL_ALLOCATED', value: '7', comment: 'Đợt 2', index: 1, categoryOptions: { FUNDING_SOURCE: 'LOCAL' }, dataSet: 'M1719_Q_CAPITAL', period: '2026Q3', orgUnit: '01843' },
    ]);
  });

  it('refuses XML that is not a data value set and XML entity tricks with INVALID_FILE', async () => {
    const read = async (xml: string) => {
      for await (const _ of readDataValues('xml', Buffer.from(xml))) void _;
    };
    await expect(read('<html><body/></html>')).rejects.toMatchObject({ code: 'INVALID_FILE' });
    await expect(read('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><dataValueSet><dataValue dataElement="A" value="&e;"/></dataValueSet>')).rejects.toMatchObject({ code: 'INVALID_FILE' });
  });
});
