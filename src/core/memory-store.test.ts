import { FakeClock, runStoreConformance } from '../testing/index.js';
import { MemoryStore } from './index.js';

const clock = new FakeClock();
runStoreConformance('MemoryStore', { makeStore: () => new MemoryStore({ clock }), clock, requireAll: true });
