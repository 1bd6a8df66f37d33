import type { Filter, FindOptions } from '../port';
import { fieldSql, jsonTypeSql } from './paths';

export type SqlParam = string | number | null | Buffer;

/**
 * Equality only. Each value is bound as a parameter and its JSON type is checked as well, so "1" never
 * matches 1, true never matches 1, and a string never matches an object's JSON text. Anything that is not
 * a scalar (an object that could look like an operator) is refused.
 */
export function whereClause(filter: Filter): { sql: string; params: SqlParam[] } {
  const parts: string[] = [];
  const params: SqlParam[] = [];
  for (const [field, value] of Object.entries(filter)) {
    const expr = fieldSql(field);
    if (value === null) {
      // like MongoDB: null matches a missing field too
      parts.push(`${expr} IS NULL`);
    } else if (typeof value === 'string') {
      parts.push(field === '_id' ? `${expr} = ?` : `${expr} = ? AND ${jsonTypeSql(field)} = 'text'`);
      params.push(value);
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new TypeError(`filter "${field}": number must be finite`);
      parts.push(field === '_id' ? '0' : `${expr} = ? AND ${jsonTypeSql(field)} IN ('integer', 'real')`);
      params.push(value);
    } else if (typeof value === 'boolean') {
      parts.push(field === '_id' ? '0' : `${expr} = ${value ? 1 : 0} AND ${jsonTypeSql(field)} = '${value ? 'true' : 'false'}'`);
    } else {
      throw new TypeError(`filter "${field}": only string, number, boolean or null equality is supported`);
    }
  }
  return { sql: parts.length > 0 ? `WHERE ${parts.map((p) => `(${p})`).join(' AND ')}` : '', params };
}

export function orderLimitClause(options: FindOptions): { sql: string; params: SqlParam[] } {
  const order = Object.entries(options.sort ?? {}).map(([field, dir]) => {
    if (dir !== 1 && dir !== -1) throw new TypeError(`sort "${field}": direction must be 1 or -1`);
    return `${fieldSql(field)} ${dir === 1 ? 'ASC' : 'DESC'}`;
  });
  // a stable tie-break, so paging with skip/limit is deterministic
  if (!('_id' in (options.sort ?? {}))) order.push('id ASC');
  const limit = options.limit ?? 0;
  const skip = options.skip ?? 0;
  if (!Number.isSafeInteger(limit) || limit < 0) throw new TypeError('limit must be a non-negative integer');
  if (!Number.isSafeInteger(skip) || skip < 0) throw new TypeError('skip must be a non-negative integer');
  // like MongoDB, limit 0 means no limit
  return { sql: `ORDER BY ${order.join(', ')} LIMIT ? OFFSET ?`, params: [limit === 0 ? -1 : limit, skip] };
}
