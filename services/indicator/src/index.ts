export * from './service';
export * from './catalog-registry';
export * from './catalog-events';
export * from './targets';
export type { ReportValidated, ValidationViolation } from './validation-consumer';
export type { CompositeRanking, CompositeRequest } from './composites';
