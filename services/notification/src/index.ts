export * from './service';
export * from './messages';
export * from './settings';
export * from './allow-list';
export * from './webhook-sender';
export * from './email';
export { backoffMs, type Dispatcher } from './dispatcher';
export type { DeadlineScheduler } from './deadline-scheduler';
