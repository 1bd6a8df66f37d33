export * from './types';
export * from './text';
export * from './hierarchy';
export * from './versions';
export * from './parse';
export * from './registry';
export * from './remapping';
export * from './cross-map-scope';
