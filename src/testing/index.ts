// `tessera-session/testing`: tools for people who test sessions and write stores.
export { FakeClock } from './fake-clock.js';
export type { ConformanceRunner, ConformanceTestBody, StoreConformanceOptions, StoreFeature } from './store-conformance.js';
export { runStoreConformance } from './store-conformance.js';
export type { ConformanceData, ConformanceReply } from './adapter-app.js';
export { conformanceReply } from './adapter-app.js';
export type { AdapterConformanceOptions } from './adapter-conformance.js';
export { runAdapterConformance } from './adapter-conformance.js';
export type { AdapterConformanceWithOptions, RunningApp } from './adapter-conformance-with.js';
export { runAdapterConformanceWith } from './adapter-conformance-with.js';
export type { ClientRequest, ClientResponse } from './conformance-client.js';
export { ConformanceClient } from './conformance-client.js';
export type { Fault } from './faulty-store.js';
export { FaultyStore } from './faulty-store.js';
