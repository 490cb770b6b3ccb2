// `tessera-session/testing`: tools for people who test sessions and write stores.
export { FakeClock } from './fake-clock.js';
export type { ConformanceRunner, ConformanceTestBody, StoreConformanceOptions, StoreFeature } from './store-conformance.js';
export { runStoreConformance } from './store-conformance.js';
