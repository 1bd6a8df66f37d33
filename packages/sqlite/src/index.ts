export * from './open-database';
