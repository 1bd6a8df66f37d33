export * from './import-summary';
export * from './raw-value';
export * from './merge-values';
export * from './form-rows';
export * from './dhis2-ids';
