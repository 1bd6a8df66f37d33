export * from './envelope';
export * from './errors';
export * from './topics';
export * from './queries';
export * from './new-event';
export * from './grpc';
