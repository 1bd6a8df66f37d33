/**
 * What Kubernetes needs to know about each service, in one table: the manifests in deploy/k8s are generated
 * from it (`pnpm generate:deploy`) and checked for drift and against the Kubernetes and KEDA schemas in
 * `pnpm test`. Consumer groups and topics must match the services' own (a test compares them).
 */
export interface DeployedService {
  name: string;
  /** replicas at rest and the autoscaler's bounds */
  minReplicas: number;
  maxReplicas: number;
  /** consumer groups whose lag scales the service (KEDA); none: scaled on CPU by an HPA only */
  lagGroups: { group: string; topic: string }[];
}

/** The reports topic has 8 partitions: a consumer group cannot use more than 8 members. */
export const REPORT_PARTITIONS = 8;

export const DEPLOYED_SERVICES: DeployedService[] = [
  { name: 'ingestion', minReplicas: 2, maxReplicas: 10, lagGroups: [] },
  { name: 'indicator', minReplicas: 1, maxReplicas: REPORT_PARTITIONS, lagGroups: [{ group: 'indicator.validation', topic: 'tally.reports.v1' }] },
  { name: 'hierarchy-rollup', minReplicas: 2, maxReplicas: REPORT_PARTITIONS, lagGroups: [{ group: 'hierarchy-rollup.rollups', topic: 'tally.reports.v1' }] },
  { name: 'projection', minReplicas: 1, maxReplicas: REPORT_PARTITIONS, lagGroups: [{ group: 'projection.reports', topic: 'tally.reports.v1' }] },
  { name: 'notification', minReplicas: 1, maxReplicas: 4, lagGroups: [{ group: 'notification.inbox', topic: 'tally.reports.v1' }] },
  { name: 'open-data', minReplicas: 1, maxReplicas: 4, lagGroups: [{ group: 'open-data.datasets', topic: 'tally.reports.v1' }] },
];

/** Lag (messages per replica) above which KEDA adds a consumer replica. */
export const LAG_THRESHOLD = 500;
