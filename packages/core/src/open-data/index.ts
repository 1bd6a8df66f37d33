export * from './definition';
export * from './disclosure';
export * from './release';
export * from './decider';
