import { UPDATE_FREQUENCIES } from '@tally/core';

/** JSON Schemas of the open-data routes: strict (no unknown fields) and bounded. */
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max });
const code = { type: 'string', pattern: '^[A-Z0-9_.]{1,64}$' };
const codes = { type: 'array', maxItems: 500, items: code };
const localized = (max: number, required: boolean) => ({
  type: 'object',
  additionalProperties: false,
  required: required ? ['vi', 'en'] : [],
  properties: { vi: { type: 'string', maxLength: max }, en: { type: 'string', maxLength: max } },
});
const instant = { type: 'string', maxLength: 40 };

export function definitionSchema(withId: boolean) {
  return {
    type: 'object',
    additionalProperties: false,
    required: withId ? ['id', 'title'] : ['title'],
    properties: {
      id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,79}$' },
      title: localized(300, true),
      description: localized(5000, false),
      templates: codes,
      dataElements: codes,
      indicators: codes,
      levels: { type: 'array', minItems: 1, maxItems: 10, items: { type: 'string', pattern: '^[a-z_]{1,32}$' } },
      periods: { type: 'array', maxItems: 500, items: { type: 'string', pattern: '^[0-9]{4}([SQ][1-4]|[0-9]{2})?$' } },
      figures: { enum: ['official', 'estimate', 'latest'] },
      licence: { type: 'object', additionalProperties: false, required: ['id', 'title', 'url'], properties: { id: text(64), title: text(200), url: { type: 'string', pattern: '^https?://', maxLength: 500 } } },
      publisher: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: { name: text(300), url: { type: 'string', pattern: '^https?://', maxLength: 500 }, email: { type: 'string', maxLength: 200, pattern: '^[^@\\s]+@[^@\\s]+$' } },
      },
      updateFrequency: { enum: [...UPDATE_FREQUENCIES] },
      keywords: { type: 'array', maxItems: 50, items: text(100) },
      release: {
        type: 'object',
        additionalProperties: false,
        properties: {
          on: { enum: ['approved', 'locked', 'manual'] },
          calendar: {
            type: 'array',
            maxItems: 200,
            items: { type: 'object', additionalProperties: false, required: ['at'], properties: { at: instant, embargoUntil: instant } },
          },
        },
      },
      disclosure: {
        oneOf: [
          { type: 'null' },
          {
            type: 'object',
            additionalProperties: false,
            required: ['minCount', 'levels'],
            properties: {
              minCount: { type: 'integer', minimum: 1, maximum: 1000 },
              levels: { type: 'array', maxItems: 10, items: { type: 'string', pattern: '^[a-z_]{1,32}$' } },
              dataElements: codes,
              suppressZero: { type: 'boolean' },
            },
          },
        ],
      },
    },
  };
}

/** Query parameters of every data download. Lists are comma-separated. */
export interface DataQuery {
  dataElement?: string;
  indicator?: string;
  orgUnit?: string;
  unit?: string;
  level?: string;
  period?: string;
  updatedAfter?: string;
  asOf?: string;
  limit?: string;
  offset?: string;
  bom?: string;
  lang?: 'vi' | 'en';
}

const list = { type: 'string', maxLength: 2000, pattern: '^[A-Za-z0-9_.,-]*$' };

export const dataQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    dataElement: list,
    indicator: list,
    orgUnit: list,
    unit: list,
    level: list,
    period: list,
    updatedAfter: instant,
    asOf: instant,
    limit: { type: 'string', pattern: '^[1-9][0-9]{0,5}$' },
    offset: { type: 'string', pattern: '^[0-9]{1,9}$' },
    bom: { enum: ['0', '1', 'true', 'false'] },
    lang: { enum: ['vi', 'en'] },
  },
};
