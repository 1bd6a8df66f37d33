import { isDeepStrictEqual } from 'node:util';
import { TallyError, newEvent, type EventContext } from '@tally/contracts';
import { validateCatalog, type Catalog } from '@tally/core';
import { handleCommand, type CommandDecision, type EventStore } from '@tally/eventstore';
import { CATALOG_STREAM, catalogStream, type CatalogPublished } from './catalog-events';

export interface PublishResult {
  version: string;
  position: number;
  created: boolean;
  /** the validated, NFC-normalized catalog */
  catalog: Catalog;
}

/**
 * Publishing checks the whole catalog first and lists every problem. A version is published once;
 * publishing the same content again is a no-op, different content under an existing version is a conflict.
 */
export async function publishCatalog(store: EventStore, input: unknown, ctx: EventContext): Promise<PublishResult> {
  const checked = validateCatalog(input);
  if (!checked.ok) {
    throw new TallyError('INVALID_CATALOG', `the catalog has ${checked.problems.length} problem(s)`, { problems: checked.problems });
  }
  const catalog: Catalog = checked.catalog;
  return handleCommand(store, CATALOG_STREAM, catalogStream, (published): CommandDecision<PublishResult> => {
    const earlier = published[catalog.version];
    if (earlier) {
      const same = sameContent(earlier.catalog, catalog);
      if (!same) throw new TallyError('CATALOG_VERSION_EXISTS', `catalog version ${catalog.version} is already published with other content`);
      return { result: { version: catalog.version, position: earlier.position, created: false, catalog } };
    }
    const event: CatalogPublished = { type: 'tally.catalog.published', data: { catalog } };
    return {
      append: [newEvent('tally/indicator', CATALOG_STREAM, event, ctx)],
      result: ({ positions }) => ({ version: catalog.version, position: positions[0]!, created: true, catalog }),
    };
  });
}

/**
 * The same catalog whatever the order of its keys: a workbook upload reads fields in its sheets' column order, a
 * JSON upload in the file's; the JSON round trip drops what JSON drops (undefined fields) on both sides alike.
 */
function sameContent(a: Catalog, b: Catalog): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
}
