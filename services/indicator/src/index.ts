export * from './service';
export * from './catalog-registry';
export * from './catalog-events';
export type { ReportValidated } from './validation-consumer';
