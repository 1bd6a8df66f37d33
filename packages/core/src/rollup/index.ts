export * from './contribution';
export * from './targets';
export * from './cell';
export * from './batch';
export * from './remap';
