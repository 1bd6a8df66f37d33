/**
 * Federation copies events from one deployment's log into another's, each into the stream of the same id, at the
 * same stream version, with its original envelope (id, actor, time, reason). Whether an incoming event is new,
 * already there (a resent batch), or cannot be placed is decided here, from the receiving stream's state.
 */
export type MirrorDecision =
  | { kind: 'append' }
  /** the same event (same id) is already at that version: a resend, nothing to do */
  | { kind: 'duplicate' }
  /** the stream is behind: an earlier event of it has not arrived (the sender must resend from its cursor) */
  | { kind: 'gap'; missingFrom: number }
  /** another event holds that version: the two deployments wrote the same stream */
  | { kind: 'diverged'; localId: string };

export function decideMirror(localVersion: number, incoming: { id: string; streamVersion: number }, localIdAt: (version: number) => string | undefined): MirrorDecision {
  if (incoming.streamVersion <= localVersion) {
    const local = localIdAt(incoming.streamVersion);
    return local === incoming.id ? { kind: 'duplicate' } : { kind: 'diverged', localId: local ?? '?' };
  }
  if (incoming.streamVersion > localVersion + 1) return { kind: 'gap', missingFrom: localVersion + 1 };
  return { kind: 'append' };
}

/** What flows down from the upstream (it owns these streams) and up from the local deployment (its reports). */
export const DOWNSTREAM_EVENT_TYPES: readonly string[] = ['tally.catalog.published', 'tally.hierarchy.changed', 'tally.target.set'];
export const isDownstreamOwned = (type: string): boolean => DOWNSTREAM_EVENT_TYPES.includes(type) || type.startsWith('tally.task.');
export const isReportEvent = (type: string): boolean => type.startsWith('tally.report.');

/**
 * Local write routes of what the upstream owns: refused (409 UPSTREAM_OWNED) on a linked deployment, whose copy
 * of the catalog, the map and the targets is the upstream's.
 */
export const UPSTREAM_OWNED_ROUTES: ReadonlyArray<{ method: string; url: string }> = [
  { method: 'PUT', url: '/api/v1/catalog' },
  { method: 'PUT', url: '/api/v1/catalog/xlsx' },
  { method: 'POST', url: '/api/v1/hierarchies/:version/changes' },
  { method: 'PUT', url: '/api/v1/targets' },
];

export const isUpstreamOwnedRoute = (method: string, url: string | undefined): boolean =>
  url !== undefined && (UPSTREAM_OWNED_ROUTES.some((r) => r.method === method && r.url === url) || (method !== 'GET' && url.startsWith('/api/v1/tasks')));

/** How far behind a direction is: positions in the source's log not yet applied (never negative). */
export const lagOf = (sourceHead: number, cursor: number): number => Math.max(0, sourceHead - cursor);

/** Which reports go up: every version as it happens, or a report's history once it is approved at its last level (or locked). */
export type UpMode = 'all' | 'approved';

/** Whether the local event at hand makes its stream's history (up to it) due upstream. */
export function dueUpstream(mode: UpMode, event: { type: string; data: unknown }): boolean {
  if (!isReportEvent(event.type)) return false;
  if (mode === 'all') return true;
  if (event.type === 'tally.report.locked') return true;
  return event.type === 'tally.report.approved' && (event.data as { final?: boolean }).final === true;
}
