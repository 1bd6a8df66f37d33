/**
 * Which service answers which API path, for the local gateway (in Kubernetes, the ingress does this).
 * Longest prefix first.
 */
export type ServiceName = 'ingestion' | 'indicator' | 'hierarchy-rollup' | 'notification' | 'open-data' | 'projection';

export const SERVICE_NAMES: ServiceName[] = ['indicator', 'hierarchy-rollup', 'ingestion', 'projection', 'notification', 'open-data'];

const ROUTES: Array<{ method?: string; prefix: string; service: ServiceName }> = [
  { method: 'POST', prefix: '/api/v1/reports', service: 'ingestion' },
  { prefix: '/api/v1/reports', service: 'projection' },
  { prefix: '/api/v1/due', service: 'projection' },
  { prefix: '/api/v1/catalog', service: 'indicator' },
  { prefix: '/api/v1/targets', service: 'indicator' },
  { prefix: '/api/v1/alerts', service: 'indicator' },
  { prefix: '/api/v1/composites', service: 'indicator' },
  { prefix: '/api/v1/rollups', service: 'hierarchy-rollup' },
  { prefix: '/api/v1/completeness', service: 'hierarchy-rollup' },
  { prefix: '/api/v1/org-units', service: 'hierarchy-rollup' },
  // GET the versions, POST /api/v1/hierarchies/{version}/changes
  { prefix: '/api/v1/hierarchies', service: 'hierarchy-rollup' },
  { prefix: '/api/v1/inbox', service: 'notification' },
  { prefix: '/api/v1/tasks', service: 'notification' },
  { prefix: '/api/v1/webhooks', service: 'notification' },
  { prefix: '/api/v1/auth', service: 'ingestion' },
  { prefix: '/api/v1/accounts', service: 'ingestion' },
  { prefix: '/api/v1/open-data', service: 'open-data' },
  // files and federation (issue 15)
  { prefix: '/api/v1/forms', service: 'ingestion' },
  { prefix: '/api/v1/dataValueSets', service: 'ingestion' },
  { prefix: '/api/v1/sync', service: 'ingestion' },
];

export function serviceFor(method: string, path: string): ServiceName | null {
  for (const r of ROUTES) {
    if (r.method && r.method !== method) continue;
    if (path === r.prefix || path.startsWith(`${r.prefix}/`) || path.startsWith(`${r.prefix}?`)) return r.service;
  }
  return null;
}
