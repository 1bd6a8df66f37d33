import type { Catalog } from '@tally/core';
import { catalogInForce } from '@tally/core';

/**
 * Every published catalog version, in memory (catalogs are small), rebuilt from the catalog stream.
 * Which one applies is decided by date: the version in force for a report's period.
 */
export class CatalogRegistry {
  private readonly byVersion = new Map<string, Catalog>();
  private order: string[] = [];

  add(catalog: Catalog): void {
    if (this.byVersion.has(catalog.version)) return;
    this.byVersion.set(catalog.version, catalog);
    this.order.push(catalog.version);
  }

  has(version: string): boolean {
    return this.byVersion.has(version);
  }

  version(version: string): Catalog | undefined {
    return this.byVersion.get(version);
  }

  all(): Catalog[] {
    return this.order.map((v) => this.byVersion.get(v)!);
  }

  latest(): Catalog | undefined {
    const last = this.order[this.order.length - 1];
    return last === undefined ? undefined : this.byVersion.get(last);
  }

  forDate(date: string): Catalog | undefined {
    return catalogInForce(this.all(), date) ?? undefined;
  }
}
