export * from './driver';
export * from './open-database';
