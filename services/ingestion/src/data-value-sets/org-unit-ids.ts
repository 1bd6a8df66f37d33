import type { HierarchyQuery } from '@tally/contracts';
import { uidOf, type IdSchemeParam } from '@tally/core';

/**
 * Org units by code, or by the UID derived from the code (`idScheme=uid`). The UIDs of a hierarchy version are
 * computed once, walking it from VN, and only when a file names a unit by UID.
 */
export class OrgUnitIds {
  private readonly byUid = new Map<string, Promise<Map<string, string>>>();
  constructor(private readonly hierarchy: HierarchyQuery) {}

  async resolve(version: string, id: string, scheme: IdSchemeParam): Promise<string | undefined> {
    if (scheme !== 'uid' && (await this.hierarchy.unit(version, id).catch(() => undefined))) return id;
    if (scheme === 'code') return undefined;
    let map = this.byUid.get(version);
    if (!map) this.byUid.set(version, (map = this.walk(version)));
    return (await map).get(id);
  }

  private async walk(version: string): Promise<Map<string, string>> {
    const out = new Map<string, string>([[uidOf('orgUnit', 'VN'), 'VN']]);
    let frontier = ['VN'];
    while (frontier.length > 0) {
      const next: string[] = [];
      for (const code of frontier) {
        for (const child of await this.hierarchy.children(version, code)) {
          out.set(uidOf('orgUnit', child.code), child.code);
          next.push(child.code);
        }
      }
      frontier = next;
    }
    return out;
  }
}
