export * from './tasks';
export * from './deadlines';
