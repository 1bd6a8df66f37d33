/**
 * gRPC glue for the services: error mapping (TallyError <-> gRPC status + `tally-error-code` metadata),
 * promisified clients, a server starter with graceful shutdown, and the generated tally.v1 contracts.
 * The generated messages are exported as the `tallyv1` namespace (their names, e.g. OrgUnit or
 * IndicatorValue, would clash with the domain types); the service definitions and clients flat.
 */
export * from './errors';
export * from './client';
export * from './server';
export * as tallyv1 from '../generated/index.tally.v1';
export { CatalogServiceClient, CatalogServiceService, type CatalogServiceServer } from '../generated/tally/v1/catalog';
export { HierarchyServiceClient, HierarchyServiceService, type HierarchyServiceServer } from '../generated/tally/v1/hierarchy';
export { IngestionServiceClient, IngestionServiceService, type IngestionServiceServer } from '../generated/tally/v1/ingestion';
export { QueryServiceClient, QueryServiceService, type QueryServiceServer, ReportServiceClient, ReportServiceService, type ReportServiceServer } from '../generated/tally/v1/query';
