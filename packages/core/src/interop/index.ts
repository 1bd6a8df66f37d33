export * from './import-summary';
export * from './raw-value';
export * from './merge-values';
export * from './form-rows';
export * from './dhis2-ids';
export * from './combo-options';
export * from './adx-period';
export * from './data-value-set';
