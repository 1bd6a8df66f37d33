import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * Request schemas as TypeBox values: one definition gives fastify its JSON Schema (validated by AJV, as before)
 * and the handler its TypeScript type (`app.withTypeProvider<TypeBoxTypeProvider>()`), so no route casts
 * `request.body/query/params as X`. The shared pieces below are the codes every API uses; a route builds its
 * schema from them with `Type.Object({...}, { additionalProperties: false })`.
 * Converted so far: services/projection, services/hierarchy-rollup (the pattern for the others).
 */
export { Type, type Static, type TSchema };
export type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

/** an org unit: 'VN' or a GSO code of 2 (province) to 5 (commune) digits */
export const OrgUnitCode = Type.String({ pattern: '^(VN|[0-9]{2,5})$' });
/** a catalog code (template, data element, option combo, indicator) */
export const Code = Type.String({ pattern: '^[A-Z][A-Z0-9_]{0,63}$' });
/** a DHIS2 period code (2026, 2026S1, 2026Q1, 202601); checked further by parsePeriod */
export const Period = Type.String({ maxLength: 8 });
/** a hierarchy version id ('2025', 'pre2025') */
export const HierarchyId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' });
/** a report stream id */
export const ReportId = Type.String({ pattern: '^report-[A-Z][A-Z0-9_]*-[0-9A-Z]+-[0-9SQ]+$', maxLength: 100 });
/** which figures: estimates, official figures, or the latest of both */
export const Figures = Type.Unsafe<'estimate' | 'official' | 'latest'>({ type: 'string', enum: ['estimate', 'official', 'latest'] });
/** a non-negative integer in a query string, at most `digits` digits */
export const DigitsParam = (digits: number) => Type.String({ pattern: `^[0-9]{1,${digits}}$` });
/** one of a few strings (a JSON Schema enum, typed as their union) */
export const OneOf = <T extends string>(values: readonly T[]) => Type.Unsafe<T>({ type: 'string', enum: [...values] });
