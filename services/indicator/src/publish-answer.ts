import type { EventContext } from '@tally/contracts';
import { daysGoverned, publicationEffect } from '@tally/core';
import type { EventStore } from '@tally/eventstore';
import type { CatalogRegistry } from './catalog-registry';
import { publishCatalog } from './publish-catalog';

/**
 * The catalog command as the API answers it, whatever the upload's format (`PUT /catalog` JSON, `PUT /catalog/xlsx`):
 * publish, make the version visible to this process at once, and say what it governs and displaced.
 */
export async function publishAndAnswer(deps: { store: EventStore; registry: CatalogRegistry; nudgeRelay: () => void }, input: unknown, ctx: EventContext) {
  const result = await publishCatalog(deps.store, input, ctx);
  deps.nudgeRelay();
  // the registry follows the stream; make the new version visible to this process at once
  deps.registry.add(result.catalog, result.position);
  const { catalog: _catalog, ...answer } = result;
  const all = deps.registry.all();
  // governs: the days it rules now; displaced: what it took over from when it was published
  const { displaced } = publicationEffect(all, result.version);
  return { status: result.created ? 201 : 200, body: { ...answer, governs: daysGoverned(all, result.version), displaced } };
}
