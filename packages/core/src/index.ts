export * from './errors';
export * from './catalog';
export * from './formula';
export * from './hierarchy';
export * from './period';
export * from './report';
export * from './rollup';
export * from './util/random';
