import { UPDATE_FREQUENCIES } from '@tally/core';
import { Level, OneOf, Strict, Type, type Static } from '@tally/runtime';

/** Request schemas of the open-data routes (TypeBox: the JSON Schema and the handler's type): strict (no unknown fields) and bounded. */
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
/** an item code as open data names it: a data element, `ELEMENT.COMBO`, an indicator or a template */
const ItemCode = Type.String({ pattern: '^[A-Z0-9_.]{1,64}$' });
const Codes = Type.Array(ItemCode, { maxItems: 500 });
const Localized = (max: number) => ({ vi: Type.String({ maxLength: max }), en: Type.String({ maxLength: max }) });
/** an instant as written (its meaning is checked by the domain: normalizeDefinition, the release route) */
const Instant = Type.String({ maxLength: 40 });
const WebUrl = Type.String({ pattern: '^https?://', maxLength: 500 });
/** a dataset id: lower-case letters, digits and '-' (core's DATASET_ID) */
export const DATASET_ID_PATTERN = '^[a-z0-9][a-z0-9-]{0,79}$';

const definitionFields = {
  title: Strict(Localized(300)),
  description: Type.Optional(Strict({ vi: Type.Optional(Localized(5000).vi), en: Type.Optional(Localized(5000).en) })),
  templates: Type.Optional(Codes),
  dataElements: Type.Optional(Codes),
  indicators: Type.Optional(Codes),
  levels: Type.Optional(Type.Array(Level, { minItems: 1, maxItems: 10 })),
  periods: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9]{4}([SQ][1-4]|[0-9]{2})?$' }), { maxItems: 500 })),
  figures: Type.Optional(OneOf(['official', 'estimate', 'latest'])),
  licence: Type.Optional(Strict({ id: Text(64), title: Text(200), url: WebUrl })),
  publisher: Type.Optional(Strict({ name: Text(300), url: Type.Optional(WebUrl), email: Type.Optional(Type.String({ maxLength: 200, pattern: '^[^@\\s]+@[^@\\s]+$' })) })),
  updateFrequency: Type.Optional(OneOf(UPDATE_FREQUENCIES)),
  keywords: Type.Optional(Type.Array(Text(100), { maxItems: 50 })),
  release: Type.Optional(
    Strict({
      on: Type.Optional(OneOf(['approved', 'locked', 'manual'])),
      calendar: Type.Optional(Type.Array(Strict({ at: Instant, embargoUntil: Type.Optional(Instant) }), { maxItems: 200 })),
    }),
  ),
  disclosure: Type.Optional(
    Type.Union([
      Type.Null(),
      Strict({
        minCount: Type.Integer({ minimum: 1, maximum: 1000 }),
        levels: Type.Array(Level, { maxItems: 10 }),
        dataElements: Type.Optional(Codes),
        suppressZero: Type.Optional(Type.Boolean()),
      }),
    ]),
  ),
};

/** POST /open-data/datasets: a definition with its id */
export const NewDefinitionSchema = Strict({ id: Type.String({ pattern: DATASET_ID_PATTERN }), ...definitionFields });
/** PUT /open-data/datasets/{name}: the id comes from the path (a body's id must match it) */
export const DefinitionSchema = Strict({ id: Type.Optional(Type.String({ pattern: DATASET_ID_PATTERN })), ...definitionFields });
export type DefinitionBody = Static<typeof DefinitionSchema>;

export function definitionSchema(withId: boolean) {
  return withId ? NewDefinitionSchema : DefinitionSchema;
}

const List = Type.Optional(Type.String({ maxLength: 2000, pattern: '^[A-Za-z0-9_.,-]*$' }));

/** Query parameters of every data download. Lists are comma-separated. */
export const dataQuerySchema = Strict({
  dataElement: List,
  indicator: List,
  orgUnit: List,
  unit: List,
  level: List,
  period: List,
  updatedAfter: Type.Optional(Instant),
  asOf: Type.Optional(Instant),
  limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,5}$' })),
  offset: Type.Optional(Type.String({ pattern: '^[0-9]{1,9}$' })),
  bom: Type.Optional(OneOf(['0', '1', 'true', 'false'])),
  lang: Type.Optional(OneOf(['vi', 'en'])),
});
export type DataQuery = Static<typeof dataQuerySchema>;
