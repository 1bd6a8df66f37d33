export * from './tasks';
export * from './deadlines';
export * from './notices';
export * from './preferences';
export * from './reads';
export * from './webhooks';
