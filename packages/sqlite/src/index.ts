export * from './background-checkpoint';
export * from './driver';
export * from './open-database';
