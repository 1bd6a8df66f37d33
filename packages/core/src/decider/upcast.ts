import type { DomainEvent } from './decider';

/**
 * Event schemas and upcasting. An event's data is written in the current schema version of its type; when a
 * type's data changes shape, its schema gains an upcaster from the old version to the next one and
 * `schemaVersion` moves up. Readers never see old shapes: `readEvent` lifts stored data one version at a time
 * (v1 -> v2 -> ... -> current) before a decider or a projection folds it.
 */

/** Lifts one type's data from schema version n to n + 1. */
export type Upcaster = (data: unknown) => unknown;

export interface EventSchema<E extends DomainEvent> {
  /** every event type of the stream, as the union `E` lists them */
  types: readonly E['type'][];
  /** per type, upcasters keyed by the version they read (`{ 1: v1 -> v2 }`); a type without one is at version 1 */
  upcasters?: { readonly [T in E['type']]?: Readonly<Record<number, Upcaster>> };
}

/**
 * `true` only when `List` names every type of the union `Type`: a type missing from a schema's list would be
 * skipped silently when a stream is read, so each stream states `const X_EVENT_TYPES_COMPLETE: ListsEvery<...> = true`
 * and a new member of its event union that is not listed fails to compile.
 */
export type ListsEvery<Type extends string, List extends readonly string[]> = [Exclude<Type, List[number]>] extends [never] ? true : never;

/** The shape of an event as the store keeps it (an envelope, or anything with these fields). */
export interface StoredShape {
  type: string;
  schemaVersion: number;
  data: unknown;
}

/** An event written by a newer schema than this process knows: it cannot be read safely. */
export class UnknownSchemaVersionError extends Error {
  constructor(
    readonly type: string,
    readonly schemaVersion: number,
    readonly current: number,
  ) {
    super(`event ${type} has schema version ${schemaVersion}; this build reads up to version ${current}`);
    this.name = 'UnknownSchemaVersionError';
  }
}

/** The schema version new events of `type` are written in: one past the highest upcaster, else 1. */
export function currentSchemaVersion<E extends DomainEvent>(schema: EventSchema<E>, type: E['type']): number {
  const steps = schema.upcasters?.[type];
  if (!steps) return 1;
  return Math.max(0, ...Object.keys(steps).map(Number)) + 1;
}

/** True when `type` is one of the schema's types. */
export function isEventOf<E extends DomainEvent>(schema: EventSchema<E>, type: string): type is E['type'] {
  return (schema.types as readonly string[]).includes(type);
}

/**
 * A stored event as the current domain event, or null when its type is not one of the schema's (streams may
 * carry other facts). Data is upcast from its stored schema version to the current one.
 */
export function readEvent<E extends DomainEvent>(schema: EventSchema<E>, stored: StoredShape): E | null {
  const type = stored.type;
  if (!isEventOf(schema, type)) return null;
  const current = currentSchemaVersion(schema, type);
  if (stored.schemaVersion > current) throw new UnknownSchemaVersionError(type, stored.schemaVersion, current);
  let data = stored.data;
  for (let v = Math.max(1, stored.schemaVersion); v < current; v++) {
    const up = schema.upcasters?.[type]?.[v];
    if (!up) throw new Error(`event ${type}: no upcaster from schema version ${v}`);
    data = up(data);
  }
  // The one place a stored event becomes a typed domain event: its type is checked above and its data is in the
  // current shape of that type (written by this code base, or lifted by the upcasters).
  return { type, data } as E;
}
