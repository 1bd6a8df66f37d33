import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { TallyError } from '@tally/contracts';
import { csvRecordToRaw, periodFromAdx, type RawDataValue } from '@tally/core';
import { parseJsonStrict } from '@tally/runtime';
import { parse as parseCsv } from '@fast-csv/parse';
import { SaxesParser, type SaxesTagPlain } from 'saxes';

/** The three file formats a data value set arrives in (XML is ADX, or DXF2 `<dataValueSet>`). */
export type DataValueFormat = 'json' | 'csv' | 'xml';

/** What the whole file says once for every value (DHIS2's set-level dataSet, period, orgUnit, completeDate). */
export interface SetDefaults {
  dataSet?: string;
  period?: string;
  orgUnit?: string;
}

const text = (s: unknown): string | undefined => (typeof s === 'string' ? s.normalize('NFC').trim() || undefined : typeof s === 'number' || typeof s === 'boolean' ? String(s) : undefined);

/**
 * Reads the data values of a file as batches, as the bytes arrive: CSV and XML with streaming parsers (a
 * 100,000-value file is never held whole), JSON from its (size-limited) buffer. Malformed files are refused with
 * INVALID_FILE (MALFORMED_JSON for JSON); each value carries its index (and CSV line) for conflicts.
 */
export async function* readDataValues(format: DataValueFormat, body: Buffer | Readable): AsyncGenerator<RawDataValue[]> {
  if (format === 'json') {
    yield* readJson(Buffer.isBuffer(body) ? body : await collect(body));
    return;
  }
  const stream = Buffer.isBuffer(body) ? Readable.from([body]) : body;
  if (format === 'csv') yield* readCsv(stream);
  else yield* readXml(stream);
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function* readJson(body: Buffer): Generator<RawDataValue[]> {
  const doc = parseJsonStrict(body.toString('utf8')) as Record<string, unknown> | null;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || !Array.isArray(doc.dataValues)) {
    throw new TallyError('INVALID_FILE', 'a data value set is a JSON object with a dataValues array');
  }
  const defaults: SetDefaults = { ...opt('dataSet', text(doc.dataSet)), ...opt('period', text(doc.period)), ...opt('orgUnit', text(doc.orgUnit)) };
  const batch: RawDataValue[] = [];
  (doc.dataValues as unknown[]).forEach((v, index) => {
    const o = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
    batch.push(withDefaults(rawOf(o, index), defaults));
  });
  yield batch;
}

function rawOf(o: Record<string, unknown>, index: number): RawDataValue {
  const value = o.value;
  return {
    dataElement: text(o.dataElement) ?? '',
    ...opt('dataSet', text(o.dataSet)),
    ...opt('period', text(o.period)),
    ...opt('orgUnit', text(o.orgUnit)),
    ...opt('categoryOptionCombo', text(o.categoryOptionCombo)),
    ...(typeof value === 'number' || typeof value === 'boolean' ? { value } : opt('value', text(value))),
    ...opt('comment', text(o.comment)),
    index,
  };
}

const opt = <K extends string>(k: K, v: string | undefined): Partial<Record<K, string>> => (v === undefined ? {} : ({ [k]: v } as Record<K, string>));

const withDefaults = (v: RawDataValue, d: SetDefaults): RawDataValue => ({
  ...v,
  ...(v.dataSet === undefined && d.dataSet ? { dataSet: d.dataSet } : {}),
  ...(v.period === undefined && d.period ? { period: d.period } : {}),
  ...(v.orgUnit === undefined && d.orgUnit ? { orgUnit: d.orgUnit } : {}),
});

const BATCH = 1000;

async function* readCsv(stream: Readable): AsyncGenerator<RawDataValue[]> {
  const parser = stream.pipe(parseCsv({ headers: false, ignoreEmpty: true, trim: false, maxRows: 0 }));
  stream.on('error', (err) => parser.destroy(err));
  let batch: RawDataValue[] = [];
  let line = 0;
  let index = 0;
  try {
    for await (const fields of parser as AsyncIterable<string[]>) {
      line += 1;
      if (line === 1 && fields[0]) fields[0] = fields[0].replace(/^\uFEFF/, '');
      const raw = csvRecordToRaw(fields.map((f) => f.normalize('NFC')), index, line);
      if (!raw) continue;
      index += 1;
      batch.push(raw);
      if (batch.length >= BATCH) {
        yield batch;
        batch = [];
      }
    }
  } catch (err) {
    if (err instanceof TallyError) throw err;
    throw new TallyError('INVALID_FILE', `the CSV file is malformed near line ${line + 1}: ${(err as Error).message.slice(0, 200)}`);
  }
  if (batch.length > 0) yield batch;
}

/** ADX (`<adx><group orgUnit period dataSet><dataValue dataElement value SEX="MALE"/>`) or DXF2 (`<dataValueSet><dataValue .../>`). */
async function* readXml(stream: Readable): AsyncGenerator<RawDataValue[]> {
  const parser = new SaxesParser({ xmlns: false, position: true });
  let batch: RawDataValue[] = [];
  let index = 0;
  let root: 'adx' | 'dxf' | undefined;
  let set: SetDefaults = {};
  let failure: Error | undefined;
  parser.on('error', (err) => {
    failure ??= err;
  });
  parser.on('opentag', (tag: SaxesTagPlain) => {
    const name = localName(tag.name);
    const a = tag.attributes as Record<string, string>;
    if (!root) {
      if (name === 'adx') root = 'adx';
      else if (name === 'dataValueSet') {
        root = 'dxf';
        set = { ...opt('dataSet', text(a.dataSet)), ...opt('period', text(a.period)), ...opt('orgUnit', text(a.orgUnit)) };
      } else failure ??= new TallyError('INVALID_FILE', `an XML data value set starts with <adx> or <dataValueSet>, not <${name}>`);
      return;
    }
    if (root === 'adx' && name === 'group') {
      const period = text(a.period);
      set = { ...opt('dataSet', text(a.dataSet)), ...opt('period', period === undefined ? undefined : periodFromAdx(period) ?? period), ...opt('orgUnit', text(a.orgUnit)) };
      return;
    }
    if (name !== 'dataValue') return;
    const categoryOptions: Record<string, string> = {};
    if (root === 'adx') {
      for (const [k, v] of Object.entries(a)) {
        if (!RESERVED.has(k) && !k.startsWith('xmlns') && !k.includes(':')) categoryOptions[k] = v.normalize('NFC').trim();
      }
    }
    const raw = rawOf(a, index++);
    batch.push(withDefaults(Object.keys(categoryOptions).length > 0 ? { ...raw, categoryOptions } : raw, set));
  });
  const decoder = new StringDecoder('utf8');
  try {
    for await (const chunk of stream) {
      parser.write(decoder.write(chunk as Buffer));
      if (failure) break;
      if (batch.length >= BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (!failure) parser.write(decoder.end()).close();
  } catch (err) {
    if (err instanceof TallyError) throw err;
    failure ??= err as Error;
  }
  if (failure) {
    if (failure instanceof TallyError) throw failure;
    throw new TallyError('INVALID_FILE', `the XML file is malformed: ${failure.message.slice(0, 200)}`);
  }
  if (!root) throw new TallyError('INVALID_FILE', 'the XML file is empty');
  if (batch.length > 0) yield batch;
}

const RESERVED = new Set(['dataElement', 'value', 'comment', 'categoryOptionCombo', 'attributeOptionCombo', 'period', 'orgUnit', 'dataSet', 'storedBy', 'lastUpdated', 'created', 'followup', 'followUp']);

const localName = (n: string): string => n.slice(n.indexOf(':') + 1);
