export * from './contribution';
export * from './cell';
export * from './batch';
export * from './remap';
