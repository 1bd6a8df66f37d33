export * from './service';
export * from './report-view';
