export * from './service';
export * from './sync-agent';
export * from './upstream-client';
export * from './upstream-guard';
export * from './mirror-event';
