import type { Permission } from './roles';

/**
 * THE access policy: every route of the API, what it needs, and where its target unit comes from.
 * Applied by one hook (see hooks.ts) before any handler runs; a route that is not listed here is refused
 * (403), and a test enumerates every registered route and fails when one is missing.
 *
 * Targets: the caller's org unit must contain the target unit (the unit itself or an ancestor of it in the
 * hierarchy version of the period concerned; 'VN' contains everything).
 * - any: the permission is enough (reference data, one's own account)
 * - national: only callers whose unit is VN
 * - unit: the unit named by a request field (`period`/`hierarchy` fields pick the hierarchy version; without them,
 *   the version in force today). `optional`: when the field is absent, only national callers pass
 * - report: the unit and period encoded in a report id
 */
export type Source = 'params' | 'query' | 'body';

export type Target =
  | { kind: 'any' }
  | { kind: 'national' }
  | { kind: 'unit'; from: Source; field: string; period?: string; hierarchy?: string; optional?: boolean }
  | { kind: 'report'; from: Source; field: string };

export type Access = { public: true } | { public?: false; permission: Permission; target: Target };

export interface RoutePolicy {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** the route's URL pattern as registered (fastify syntax); a trailing '/*' covers every route below */
  url: string;
  access: Access;
}

const PUBLIC: Access = { public: true };
const any = (permission: Permission): Access => ({ permission, target: { kind: 'any' } });
const national = (permission: Permission): Access => ({ permission, target: { kind: 'national' } });
const report = (permission: Permission): Access => ({ permission, target: { kind: 'report', from: 'params', field: 'reportId' } });

export const POLICIES: readonly RoutePolicy[] = [
  // public: liveness, open data, signing in
  { method: 'GET', url: '/health', access: PUBLIC },
  { method: 'GET', url: '/health/ready', access: PUBLIC },
  { method: 'GET', url: '/api/v1/open-data/*', access: PUBLIC },
  { method: 'GET', url: '/api/v1/open-data', access: PUBLIC },
  { method: 'POST', url: '/api/v1/auth/login', access: PUBLIC },
  // the web app (web/): its page and its content-hashed files; every figure it shows comes from the API
  { method: 'GET', url: '/', access: PUBLIC },
  { method: 'GET', url: '/assets/*', access: PUBLIC },
  { method: 'GET', url: '/sw.js', access: PUBLIC },

  // one's own account
  { method: 'GET', url: '/api/v1/auth/me', access: any('account.self') },
  { method: 'POST', url: '/api/v1/auth/logout', access: any('account.self') },
  { method: 'POST', url: '/api/v1/auth/password', access: any('account.self') },

  // accounts (central administrators)
  { method: 'GET', url: '/api/v1/accounts', access: national('account.manage') },
  { method: 'POST', url: '/api/v1/accounts', access: national('account.manage') },
  { method: 'GET', url: '/api/v1/accounts/:username', access: national('account.manage') },
  { method: 'POST', url: '/api/v1/accounts/:username/disable', access: national('account.manage') },
  { method: 'POST', url: '/api/v1/accounts/:username/enable', access: national('account.manage') },
  { method: 'POST', url: '/api/v1/accounts/:username/password', access: national('account.manage') },
  { method: 'POST', url: '/api/v1/accounts/:username/email', access: national('account.manage') },
  { method: 'POST', url: '/api/v1/accounts/:username/tokens', access: national('account.manage') },
  { method: 'POST', url: '/api/v1/accounts/:username/tokens/:jti/revoke', access: national('account.manage') },

  // catalog and hierarchy
  { method: 'PUT', url: '/api/v1/catalog', access: national('catalog.publish') },
  { method: 'GET', url: '/api/v1/catalog', access: any('reference.read') },
  { method: 'GET', url: '/api/v1/catalog/versions', access: any('reference.read') },
  // the catalog as a workbook (web app's admin screen): download a version, publish one from an upload
  { method: 'GET', url: '/api/v1/catalog/xlsx', access: any('reference.read') },
  { method: 'PUT', url: '/api/v1/catalog/xlsx', access: national('catalog.publish') },
  { method: 'GET', url: '/api/v1/hierarchies', access: any('reference.read') },
  // the map is national: only national administrators change it
  { method: 'POST', url: '/api/v1/hierarchies/:version/changes', access: national('hierarchy.manage') },
  { method: 'GET', url: '/api/v1/org-units', access: any('reference.read') },
  { method: 'GET', url: '/api/v1/org-units/:code', access: any('reference.read') },

  // reports
  { method: 'POST', url: '/api/v1/reports', access: { permission: 'report.submit', target: { kind: 'unit', from: 'body', field: 'orgUnit', period: 'period' } } },
  { method: 'GET', url: '/api/v1/reports', access: { permission: 'report.read', target: { kind: 'unit', from: 'query', field: 'orgUnit', period: 'period', optional: true } } },
  { method: 'GET', url: '/api/v1/reports/:reportId', access: report('report.read') },
  { method: 'GET', url: '/api/v1/reports/:reportId/audit', access: report('report.audit') },
  { method: 'POST', url: '/api/v1/reports/:reportId/approve', access: report('report.review') },
  { method: 'POST', url: '/api/v1/reports/:reportId/return', access: report('report.review') },
  { method: 'POST', url: '/api/v1/reports/:reportId/lock', access: report('report.lock') },
  { method: 'POST', url: '/api/v1/reports/:reportId/unlock', access: report('report.lock') },
  // what a reporting unit has to report (the web app's first screen for officers)
  { method: 'GET', url: '/api/v1/due', access: { permission: 'report.read', target: { kind: 'unit', from: 'query', field: 'orgUnit' } } },

  // rollups, notifications
  {
    method: 'GET',
    url: '/api/v1/rollups',
    access: { permission: 'rollup.read', target: { kind: 'unit', from: 'query', field: 'orgUnit', period: 'period', hierarchy: 'hierarchy' } },
  },
  {
    method: 'GET',
    url: '/api/v1/completeness',
    access: { permission: 'rollup.read', target: { kind: 'unit', from: 'query', field: 'orgUnit', period: 'period', hierarchy: 'hierarchy' } },
  },
  // inbox, tasks, webhooks (docs/notifications.md): without orgUnit, the caller's own unit; handlers check the units named in bodies
  { method: 'GET', url: '/api/v1/inbox', access: { permission: 'inbox.read', target: { kind: 'unit', from: 'query', field: 'orgUnit' } } },
  { method: 'POST', url: '/api/v1/inbox/:id/read', access: any('inbox.read') },
  { method: 'POST', url: '/api/v1/inbox/read-all', access: any('inbox.read') },
  { method: 'GET', url: '/api/v1/inbox/preferences', access: any('account.self') },
  { method: 'PUT', url: '/api/v1/inbox/preferences', access: any('account.self') },
  { method: 'POST', url: '/api/v1/tasks', access: any('task.assign') },
  { method: 'GET', url: '/api/v1/tasks', access: { permission: 'report.read', target: { kind: 'unit', from: 'query', field: 'orgUnit' } } },
  { method: 'POST', url: '/api/v1/tasks/:taskId/done', access: any('inbox.read') },
  { method: 'POST', url: '/api/v1/webhooks', access: { permission: 'webhook.manage', target: { kind: 'unit', from: 'body', field: 'orgUnit' } } },
  { method: 'GET', url: '/api/v1/webhooks/:id/deliveries', access: any('webhook.manage') },
  { method: 'POST', url: '/api/v1/webhooks/:id/deliveries/:deliveryId/retry', access: any('webhook.manage') },

  // targets, alerts, composite indices
  { method: 'PUT', url: '/api/v1/targets', access: { permission: 'catalog.publish', target: { kind: 'unit', from: 'body', field: 'orgUnit', period: 'period' } } },
  { method: 'GET', url: '/api/v1/targets', access: { permission: 'rollup.read', target: { kind: 'unit', from: 'query', field: 'orgUnit' } } },
  { method: 'GET', url: '/api/v1/alerts', access: { permission: 'rollup.read', target: { kind: 'unit', from: 'query', field: 'orgUnit', period: 'period' } } },
  // a ranking shows each ranked unit's score and component values (per-unit rollup figures): readable where those
  // rollups are, so the parent of the ranked units must be in the caller's subtree (no parent = VN: national only)
  {
    method: 'GET',
    url: '/api/v1/composites/:code',
    access: { permission: 'rollup.read', target: { kind: 'unit', from: 'query', field: 'parent', period: 'period', hierarchy: 'hierarchy', optional: true } },
  },

  // open data: central administrators define datasets and cut releases (reading them is public, above)
  { method: 'POST', url: '/api/v1/open-data/datasets', access: national('catalog.publish') },
  { method: 'PUT', url: '/api/v1/open-data/datasets/:name', access: national('catalog.publish') },
  { method: 'POST', url: '/api/v1/open-data/datasets/:name/releases', access: national('catalog.publish') },

  // file imports and exports (issue 15): an upload may hold many units; each is checked against the caller's subtree
  { method: 'GET', url: '/api/v1/forms/xlsx', access: { permission: 'report.read', target: { kind: 'unit', from: 'query', field: 'orgUnit', period: 'period' } } },
  { method: 'POST', url: '/api/v1/forms/xlsx', access: any('report.submit') },
  { method: 'POST', url: '/api/v1/dataValueSets', access: any('report.submit') },
  { method: 'GET', url: '/api/v1/dataValueSets/jobs/:id', access: any('report.submit') },
  { method: 'GET', url: '/api/v1/dataValueSets', access: { permission: 'report.read', target: { kind: 'any' } } },

  // federation (issue 15): a downstream's sync account; the events pushed are checked against its subtree
  { method: 'GET', url: '/api/v1/sync/events', access: any('sync.exchange') },
  { method: 'POST', url: '/api/v1/sync/events', access: any('sync.exchange') },
  { method: 'GET', url: '/api/v1/sync/status', access: any('ops.manage') },

  // operations
  { method: 'GET', url: '/api/v1/health', access: any('ops.manage') },
  { method: 'GET', url: '/metrics', access: any('ops.manage') },
];

const exact = new Map<string, Access>();
const prefixes: Array<{ method: string; prefix: string; access: Access }> = [];
for (const p of POLICIES) {
  if (p.url.endsWith('/*')) prefixes.push({ method: p.method, prefix: p.url.slice(0, -1), access: p.access });
  else exact.set(`${p.method} ${p.url}`, p.access);
}

/** The policy of a route (HEAD is GET's), or undefined: no policy, so refused. */
export function policyFor(method: string, url: string): Access | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  const hit = exact.get(`${m} ${url}`);
  if (hit) return hit;
  return prefixes.find((p) => p.method === m && url.startsWith(p.prefix))?.access;
}
