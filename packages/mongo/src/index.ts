export * from './server-dialect';
export * from './duplicate-key';
