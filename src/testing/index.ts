// `tessera/testing`: tools for people who test sessions and write stores.
export { FakeClock } from './fake-clock.js';
export type { StoreConformanceOptions, StoreFeature } from './store-conformance.js';
export { runStoreConformance } from './store-conformance.js';
