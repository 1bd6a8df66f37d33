export * from './server-dialect';
