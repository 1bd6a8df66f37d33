export * from './service';
export * from './hierarchy-query';
export * from './hierarchies';
export { applyReportEvent, DEADLINE_UTC_OFFSET_MINUTES, type ApplyDeps, type PathUnit } from './apply-report-event';
export { readRollup, readCell, type ReadRollupDeps, type RollupStores, type MapRemapping, type Replay } from './read-rollup';
export { readCompleteness, type CompletenessReport, type CompletenessRequest } from './completeness';
export { replayFromLog } from './time-travel';
export { applyHierarchyChange, HIERARCHY_SHARE, type MoveDeps, type MoveSummary } from './apply-hierarchy-change';
export * from './rollup-cells';
