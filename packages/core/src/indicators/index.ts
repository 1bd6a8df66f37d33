export * from './outcome-events';
