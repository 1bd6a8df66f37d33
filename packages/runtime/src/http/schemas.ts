import { Type, type Static, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import { CODE_PATTERN } from '@tally/core';

/**
 * Request schemas as TypeBox values: one definition gives fastify its JSON Schema (validated by AJV, as before)
 * and the handler its TypeScript type (`app.withTypeProvider<TypeBoxTypeProvider>()`), so no route casts
 * `request.body/query/params as X`. The shared pieces below are the codes every API uses; a route builds its
 * schema from them with `Strict({...})` (an object refusing unknown fields). A request that fails its schema
 * answers `400 INVALID_REQUEST` (error-handler.ts), never a 500.
 */
export { Type, type Static, type TSchema };
export type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

/** an org unit: 'VN' or a GSO code of 2 (province) to 5 (commune) digits */
export const OrgUnitCode = Type.String({ pattern: '^(VN|[0-9]{2,5})$' });
/** a catalog code (template, data element, option combo, indicator): the catalog's own rule (core's CODE_PATTERN) */
export const Code = Type.String({ pattern: CODE_PATTERN.source });
/** a DHIS2 period code (2026, 2026S1, 2026Q1, 202601); checked further by parsePeriod */
export const Period = Type.String({ maxLength: 8 });
/** a period as a report names it: 4 to 8 characters, checked further by parsePeriod (422 INVALID_PERIOD) */
export const ReportPeriod = Type.String({ minLength: 4, maxLength: 8 });
/** a period code by its shape alone: a year, semester, quarter or month */
export const PeriodCode = Type.String({ pattern: '^[0-9]{4}(S[12]|Q[1-4]|[0-9]{2})?$' });
/** a calendar date YYYY-MM-DD (checked further by isIsoDate where the day must exist) */
export const IsoDate = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' });
/** a hierarchy version id ('2025', 'pre2025') */
export const HierarchyId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' });
/** a hierarchy level name ('province', 'district', 'commune') */
export const Level = Type.String({ pattern: '^[a-z_]{1,32}$' });
/** a report stream id */
export const ReportId = Type.String({ pattern: '^report-[A-Z][A-Z0-9_]*-[0-9A-Z]+-[0-9SQ]+$', maxLength: 100 });
/** the client's id of one submission (the idempotency key of POST /reports) */
export const SubmissionId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' });
/** why: the reason recorded on the events a request appends */
export const Reason = Type.String({ minLength: 1, maxLength: 2000 });
/** an id the server generated (a task, a webhook, a token's jti) */
export const Uuid = Type.String({ pattern: '^[0-9a-f-]{36}$' });
/** which figures: estimates, official figures, or the latest of both */
export const Figures = Type.Unsafe<'estimate' | 'official' | 'latest'>({ type: 'string', enum: ['estimate', 'official', 'latest'] });
/** a non-negative integer in a query string, at most `digits` digits */
export const DigitsParam = (digits: number) => Type.String({ pattern: `^[0-9]{1,${digits}}$` });
/** a log position in a query string (`after`: read what came after it) */
export const PositionParam = DigitsParam(15);
/** one of a few strings (a JSON Schema enum, typed as their union) */
export const OneOf = <const T extends string>(values: readonly T[]) => Type.Unsafe<T>({ type: 'string', enum: [...values] });
/** a flag in a query string: 'true' or 'false' */
export const BooleanParam = OneOf(['true', 'false'] as const);
/** an object that refuses unknown fields: every request body, query and params object */
export const Strict = <T extends TProperties>(properties: T): TObject<T> => Type.Object(properties, { additionalProperties: false });
/** a body that may be null (routes whose body is optional: `{...}` or nothing) */
export const OrNull = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
