export * from './contribution';
export * from './targets';
