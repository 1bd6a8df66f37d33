export * from './decider';
export * from './upcast';
export * from './stream';
