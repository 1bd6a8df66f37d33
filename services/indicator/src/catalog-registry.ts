import type { Catalog } from '@tally/core';
import { catalogInForce } from '@tally/core';

/**
 * Every published catalog version, in memory (catalogs are small), rebuilt from the catalog stream and kept
 * in publication order (stream position), which decides between versions with the same effectiveFrom.
 * Which one applies is decided by date: the version in force for a report's period.
 */
export class CatalogRegistry {
  private readonly byVersion = new Map<string, { catalog: Catalog; position: number }>();
  private order: string[] = [];

  /** `position`: the publication's position in the catalog stream (orders versions published elsewhere). */
  add(catalog: Catalog, position: number): void {
    if (this.byVersion.has(catalog.version)) return;
    this.byVersion.set(catalog.version, { catalog, position });
    let at = this.order.length;
    while (at > 0 && this.byVersion.get(this.order[at - 1]!)!.position > position) at--;
    this.order.splice(at, 0, catalog.version);
  }

  has(version: string): boolean {
    return this.byVersion.has(version);
  }

  version(version: string): Catalog | undefined {
    return this.byVersion.get(version)?.catalog;
  }

  /** every version, in publication order */
  all(): Catalog[] {
    return this.order.map((v) => this.byVersion.get(v)!.catalog);
  }

  /** the version published last */
  latest(): Catalog | undefined {
    const last = this.order[this.order.length - 1];
    return last === undefined ? undefined : this.version(last);
  }

  forDate(date: string): Catalog | undefined {
    return catalogInForce(this.all(), date);
  }
}
