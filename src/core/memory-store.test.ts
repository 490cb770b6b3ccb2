import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock, runStoreConformance } from '../testing/index.js';
import { storeView } from '../../test/support/store-view.js';
import { MemoryStore } from './index.js';

const clock = new FakeClock();
runStoreConformance('MemoryStore', { makeStore: () => new MemoryStore({ clock }), clock, requireAll: true });

runStoreConformance('MemoryStore behind a promise-returning get', { makeStore: () => {
  const store = new MemoryStore({ clock });
  // The same store behind a `get` that answers with a promise, as a networked store's does.
  return storeView(store, [], { get: async (key) => store.get(key) });
}, clock, requireAll: true });

describe('MemoryStore specifics', () => {
  it('get answers synchronously: the value itself, not a promise', async () => {
    const store = new MemoryStore({ clock });
    assert.equal(store.get('k'), undefined, 'missing');
    await store.set('k', 'v', clock.now() + 60_000);
    assert.equal(store.get('k'), 'v');
    clock.advance(60);
    assert.equal(store.get('k'), undefined, 'expired');
  });

  it('has neither getSync nor touch', () => {
    const store = new MemoryStore({ clock });
    assert.equal('getSync' in store, false);
    assert.equal('touch' in store, false);
  });
});
