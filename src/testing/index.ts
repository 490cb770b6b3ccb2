// `tessera/testing`: tools for people who test sessions and write stores.
export { FakeClock } from './fake-clock.js';
