export * from './platform';
export * from './demo';
