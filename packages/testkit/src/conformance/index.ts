export { describeEventStoreConformance, type EventStoreHarness } from './event-store.conformance';
export { describeEventBusConformance, type EventBusHarness } from './event-bus.conformance';
export { describeReadStoreConformance, type ReadStoreHarness } from './read-store.conformance';
export { waitFor, uniqueSuffix } from './wait-for';
export { sampleEvent } from './sample-events';
export { runUntilKilled, type KilledChild } from './kill-child';
export { describeCounterCollectionConformance } from './counter-collection.conformance';
