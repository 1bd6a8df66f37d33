export * from './events';
export * from './decider';
export * from './validate-submission';
export * from './workflow-rules';
export * from './due';
