export * from './service';
export * from './open-data';
