import { newEvent, type EventContext, type StoredEvent } from '@tally/contracts';
import { DomainError, HierarchyRegistry, type Hierarchy, type HierarchyChange, type SourcedStream } from '@tally/core';
import { handleCommand, type CommandDecision, type EventStore } from '@tally/eventstore';

/** A change of the administrative map after go-live (rename, move, create, retire, merge, split): an event. */
export const HIERARCHY_CHANGED = 'tally.hierarchy.changed';

export interface HierarchyChangedData {
  /** the map version changed, e.g. '2025' */
  hierarchy: string;
  change: HierarchyChange;
}

export type HierarchyChanged = { type: typeof HIERARCHY_CHANGED; data: HierarchyChangedData };

/**
 * A map version's stream, folded to the number of changes it holds: the map itself is kept by LiveHierarchies
 * (one Hierarchy per change), so the command handler only needs the stream's version from this read.
 */
export const hierarchyChangeStream: SourcedStream<number, HierarchyChanged> = {
  schema: { types: [HIERARCHY_CHANGED] },
  initialState: () => 0,
  evolve: (count) => count + 1,
};

/** One stream per map version; relayed to the hierarchy topic. */
export const hierarchyStreamId = (version: string): string => `hierarchy-${version}`;

/**
 * The maps as they stand, and as they stood at any position of the log: the shipped versions (position 0)
 * plus the `tally.hierarchy.changed` events of each version's stream, applied in order with
 * Hierarchy.withChanges. Live, reports roll up on the current map and each change moves the data already rolled
 * up (apply-hierarchy-change.ts); a replay as of an instant rolls each report up on the map as it stood just
 * before its position (`at`) and applies each change at its position (`changesAfter`).
 * Memory: one Hierarchy per change (O(units) each; changes after go-live are rare).
 */
export class LiveHierarchies {
  private readonly history = new Map<string, Array<{ position: number; hierarchy: Hierarchy }>>();
  private readonly streamVersions = new Map<string, number>();
  private current: HierarchyRegistry;
  private loadedUpTo = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners: Array<() => void> = [];

  constructor(
    base: HierarchyRegistry,
    private readonly store?: EventStore,
  ) {
    for (const h of base.all()) this.history.set(h.version.id, [{ position: 0, hierarchy: h }]);
    this.current = base;
  }

  /** The maps as they stand now. */
  registry(): HierarchyRegistry {
    return this.current;
  }

  /** The map version as it stood just before `position`. */
  at(version: string, position: number): Hierarchy | undefined {
    const list = this.history.get(version);
    if (!list) return undefined;
    let out = list[0]!.hierarchy;
    for (const s of list) if (s.position < position) out = s.hierarchy;
    return out;
  }

  /** The map versions. */
  versions(): string[] {
    return [...this.history.keys()];
  }

  /** The changes of a map version at positions after `position`, in order, each with the map before and after it. */
  changesAfter(version: string, position: number): Array<{ position: number; before: Hierarchy; after: Hierarchy }> {
    const list = this.history.get(version) ?? [];
    const out: Array<{ position: number; before: Hierarchy; after: Hierarchy }> = [];
    for (let i = 1; i < list.length; i++) if (list[i]!.position > position) out.push({ position: list[i]!.position, before: list[i - 1]!.hierarchy, after: list[i]!.hierarchy });
    return out;
  }

  /** Called (not awaited) whenever changes are loaded: the service moves the data already rolled up. */
  onChanged(listener: () => void): void {
    this.listeners.push(listener);
  }

  /**
   * Makes sure every change appended before `position`, the position of an event in the log (one being applied), is
   * known: reads the map streams when it may not be. Positions are taken in order without gaps, so every position
   * before an existing one exists already: one read of the streams after it covers them (no head lookup, which
   * follows the log's chain on FerretDB).
   */
  async ensureUpTo(position: number): Promise<void> {
    if (!this.store || position <= this.loadedUpTo) return;
    await this.serial(async () => {
      if (position <= this.loadedUpTo) return;
      await this.load();
      this.loadedUpTo = Math.max(this.loadedUpTo, position);
    });
  }

  /** Reads the changes appended since the last read (e.g. when the hierarchy topic says there are some). */
  refresh(): Promise<void> {
    return this.serial(() => this.load());
  }

  /**
   * Decides a change on the current map (refused with the domain's error if it would break the structure) and
   * appends it to the version's stream; returns the event's position once the change is known here.
   */
  async change(version: string, change: HierarchyChange, ctx: EventContext): Promise<{ position: number; version: number }> {
    if (!this.store) throw new Error('hierarchy changes need an event store');
    const streamId = hierarchyStreamId(version);
    const appended = await handleCommand(this.store, streamId, hierarchyChangeStream, async (): Promise<CommandDecision<{ position: number; version: number }>> => {
      // the map as of at least the version just read (a newer one makes the append conflict, and the change is decided again)
      await this.refresh();
      const h = this.current.get(version);
      if (!h) throw new DomainError('UNKNOWN_HIERARCHY', `unknown hierarchy version ${version}`);
      h.withChange(change); // validates
      const event: HierarchyChanged = { type: HIERARCHY_CHANGED, data: { hierarchy: version, change } };
      return { append: [newEvent('tally/hierarchy-rollup', streamId, event, ctx)], result: (r) => ({ position: r.positions[0]!, version: r.nextVersion }) };
    });
    await this.refresh();
    return appended;
  }

  private async load(): Promise<void> {
    let changed = false;
    for (const [version, list] of this.history) {
      const from = (this.streamVersions.get(version) ?? 0) + 1;
      const events: StoredEvent[] = await this.store!.readStream(hierarchyStreamId(version), from);
      for (const e of events) {
        this.streamVersions.set(version, e.streamVersion);
        if (e.type !== HIERARCHY_CHANGED) continue;
        const data = e.data as HierarchyChangedData;
        list.push({ position: e.position, hierarchy: list[list.length - 1]!.hierarchy.withChange(data.change) });
        changed = true;
      }
    }
    if (changed) {
      this.current = new HierarchyRegistry([...this.history.values()].map((l) => l[l.length - 1]!.hierarchy));
      for (const l of this.listeners) l();
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
