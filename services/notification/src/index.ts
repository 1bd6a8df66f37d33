export * from './service';
export * from './messages';
