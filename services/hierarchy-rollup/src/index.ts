export * from './service';
export * from './hierarchy-query';
