/**
 * Names that reach SQL text (collections, fields) are validated against one strict pattern, so they can be
 * quoted safely; values are always bound as parameters.
 */
const NAME = /^[A-Za-z0-9_.:-]+$/;
// Segments that would reach Object.prototype when a path is walked on a parsed document.
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

export function assertCollectionName(name: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) throw new TypeError(`invalid collection name "${String(name)}"`);
}

export function fieldSegments(field: string): string[] {
  if (typeof field !== 'string' || !NAME.test(field)) throw new TypeError(`invalid field name "${String(field)}"`);
  const segments = field.split('.');
  if (segments.some((s) => s === '' || FORBIDDEN_SEGMENTS.has(s))) throw new TypeError(`invalid field path "${field}"`);
  return segments;
}

/** SQL expression for a field: the id column for _id, otherwise json_extract with a literal (indexable) path. */
export function fieldSql(field: string): string {
  if (field === '_id') return 'id';
  return `json_extract(doc, ${jsonPathLiteral(field)})`;
}

export function jsonTypeSql(field: string): string {
  return `json_type(doc, ${jsonPathLiteral(field)})`;
}

function jsonPathLiteral(field: string): string {
  // safe to inline: the pattern admits no quotes or backslashes
  return `'$${fieldSegments(field)
    .map((s) => `."${s}"`)
    .join('')}'`;
}

export function quoteIdent(name: string): string {
  return `"${name}"`;
}

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null;

export function getPath(doc: Obj, field: string): unknown {
  let cur: unknown = doc;
  for (const s of fieldSegments(field)) {
    if (!isObject(cur) || !Object.hasOwn(cur, s)) return undefined;
    cur = cur[s];
  }
  return cur;
}

export function setPath(doc: Obj, field: string, value: unknown): void {
  const segments = fieldSegments(field);
  let cur: Obj = doc;
  for (const s of segments.slice(0, -1)) {
    const next = Object.hasOwn(cur, s) ? cur[s] : undefined;
    if (next === undefined) {
      const created: Obj = {};
      cur[s] = created;
      cur = created;
    } else if (isObject(next)) {
      cur = next;
    } else {
      throw new TypeError(`cannot set "${field}": "${s}" is not an object`);
    }
  }
  cur[segments[segments.length - 1]!] = value;
}

export function unsetPath(doc: Obj, field: string): void {
  const segments = fieldSegments(field);
  let cur: unknown = doc;
  for (const s of segments.slice(0, -1)) {
    if (!isObject(cur) || !Object.hasOwn(cur, s)) return;
    cur = cur[s];
  }
  if (isObject(cur)) delete cur[segments[segments.length - 1]!];
}
