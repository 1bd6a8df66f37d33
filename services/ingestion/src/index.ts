export * from './service';
export * from './submit-report';
