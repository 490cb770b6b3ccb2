import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isSessionError } from '../errors.js';
import { MemoryStore } from '../memory-store.js';
import { createStoreCaller } from '../store-caller.js';
import { SUCCESSION_TTL_MS, createSuccession } from './succession.js';

const NOW = 1_800_000_000_000;
const secret = Buffer.alloc(32, 7);
const DAY = 86_400_000;
const succession = createSuccession(secret, 3);

/** A memory store on a clock the test moves, the marker key of a loaded record, and a caller. */
function setUp(store = new MemoryStore({ clock: { now: () => clock.at } })): { store: MemoryStore; caller: ReturnType<typeof createStoreCaller>; marker: string } {
  clock.at = NOW;
  store.set('loaded-key', 'record', NOW + DAY);
  return { store, caller: createStoreCaller(store, 1000), marker: succession.markerOf('loaded-key') };
}
const clock = { at: NOW };

/** The oracle: a marker value a regenerate may join (a list of string keys, not ended). */
function isOpenList(text: string): boolean {
  if (!text.startsWith('{"v":1,"succession":')) return false;
  try {
    const raw = JSON.parse(text) as { succession?: unknown; ended?: unknown };
    return Array.isArray(raw.succession) && raw.succession.every((key) => typeof key === 'string') && raw.ended !== true;
  } catch {
    return false;
  }
}

describe('succession markers (regenerate racing a destroy)', () => {
  it('a destroy after the regenerates joined deletes every successor; the marker lives SUCCESSION_TTL_MS', async () => {
    const { store, caller, marker } = setUp();
    for (const key of ['next-a', 'next-b']) {
      store.set(key, 'record', NOW + DAY);
      assert.equal(await succession.join(caller, 'loaded-key', key, NOW), true);
    }
    assert.equal(store.get('next-a'), 'record', 'joining keeps the new record');
    await succession.end(caller, 'loaded-key', NOW);
    assert.equal(store.get('next-a'), undefined);
    assert.equal(store.get('next-b'), undefined);
    clock.at = NOW + SUCCESSION_TTL_MS - 1;
    assert.notEqual(store.get(marker), undefined);
    clock.at = NOW + SUCCESSION_TTL_MS;
    assert.equal(store.get(marker), undefined);
  });

  it('a regenerate joining after the destroy is told the session ended and its new record is deleted; a second end is a no-op', async () => {
    const { store, caller } = setUp();
    await succession.end(caller, 'loaded-key', NOW);
    store.set('next', 'record', NOW + DAY);
    assert.equal(await succession.join(caller, 'loaded-key', 'next', NOW), false);
    assert.equal(store.get('next'), undefined);
    await succession.end(caller, 'loaded-key', NOW);
    store.set('later', 'record', NOW + DAY);
    assert.equal(await succession.join(caller, 'loaded-key', 'later', NOW), false);
  });

  it('a join that fails deletes the new record and reports the failure; a destroy retried after a failed delete still deletes the successors', async () => {
    class Flaky extends MemoryStore {
      failSetIf = false;
      failDelete = false;
      override setIf(key: string, value: string, expiresAt: number, previous: string | undefined): Promise<boolean> {
        return this.failSetIf ? Promise.reject(new Error('down')) : super.setIf(key, value, expiresAt, previous);
      }
      override delete(key: string): Promise<void> {
        return this.failDelete ? Promise.reject(new Error('down')) : super.delete(key);
      }
    }
    const store = new Flaky({ clock: { now: () => clock.at } });
    const { caller } = setUp(store);
    store.set('orphan', 'record', NOW + DAY);
    store.failSetIf = true;
    await assert.rejects(succession.join(caller, 'loaded-key', 'orphan', NOW), (error: unknown) => isSessionError(error, 'ERR_SESSION_STORE'));
    assert.equal(store.get('orphan'), undefined);
    store.failSetIf = false;
    store.set('next', 'record', NOW + DAY);
    assert.equal(await succession.join(caller, 'loaded-key', 'next', NOW), true);
    store.failDelete = true;
    await assert.rejects(succession.end(caller, 'loaded-key', NOW));
    assert.equal(store.get('next'), 'record');
    store.failDelete = false;
    await succession.end(caller, 'loaded-key', NOW);
    assert.equal(store.get('next'), undefined);
  });

  it('the loaded record gone (revoked meanwhile) fails the join and deletes the new record, unless another regenerate moved it (a double-clicked login)', async () => {
    const { store, caller } = setUp();
    store.delete('loaded-key');
    store.set('next', 'record', NOW + DAY);
    assert.equal(await succession.join(caller, 'loaded-key', 'next', NOW), false);
    assert.equal(store.get('next'), undefined);

    const other = setUp();
    other.store.set('first', 'record', NOW + DAY);
    assert.equal(await succession.join(other.caller, 'loaded-key', 'first', NOW), true);
    other.store.delete('loaded-key'); // the first regenerate deletes the old record after joining
    other.store.set('second', 'record', NOW + DAY);
    assert.equal(await succession.join(other.caller, 'loaded-key', 'second', NOW), true);
    assert.equal(other.store.get('second'), 'record');
  });

  it('lives: the loaded record, else a live successor another regenerate listed; not once that one ended too', async () => {
    const { store, caller } = setUp();
    assert.equal(await succession.lives(caller, 'loaded-key'), true);
    store.set('moved', 'record', NOW + DAY);
    await succession.join(caller, 'loaded-key', 'moved', NOW);
    store.delete('loaded-key');
    assert.equal(await succession.lives(caller, 'loaded-key'), true, 'moved by another regenerate');
    assert.equal(await succession.lives(caller, 'loaded-key', 'moved'), false, 'its own successor does not count');
    store.delete('moved'); // logged out under the new ID
    assert.equal(await succession.lives(caller, 'loaded-key'), false);
  });

  it('a store without compare-and-set gets no marker (last write wins there)', async () => {
    const writes: string[] = [];
    const store = { get: () => undefined, set: async (key: string) => void writes.push(key), delete: async () => {} };
    const caller = createStoreCaller(store, 1000);
    assert.equal(await succession.join(caller, 'loaded-key', 'next', NOW), true);
    await succession.end(caller, 'loaded-key', NOW);
    assert.deepEqual(writes, []);
  });

  it('markers of different loaded records differ, and name no session ID', () => {
    assert.notEqual(succession.markerOf('a'), succession.markerOf('b'));
    assert.notEqual(succession.markerOf('a'), createSuccession(Buffer.alloc(32, 8), 3).markerOf('a'));
    assert.match(succession.markerOf('a'), /^[A-Za-z0-9_-]{43}$/);
  });

  it('property: whatever text sits under the marker, join and end never throw, the new record outlives neither, and only listed keys are deleted', async () => {
    const listed = fc.array(fc.string()).map((keys) => `{"v":1,"succession":${JSON.stringify(keys)}}`);
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json(), listed, fc.string().map((tail) => `{"v":1,"succession":${tail}`)), async (text) => {
        const { store, caller, marker } = setUp();
        store.set(marker, text, NOW + 1000);
        store.set('bystander', 'record', NOW + DAY);
        store.set('next', 'record', NOW + DAY);
        const joined = await succession.join(caller, 'loaded-key', 'next', NOW);
        assert.equal(store.get('next') !== undefined, joined);
        assert.equal(joined, isOpenList(text), 'joined exactly when the marker is a list of keys not ended');
        await succession.end(caller, 'loaded-key', NOW);
        assert.equal(store.get('next'), undefined, 'gone after the end');
        assert.equal(store.get('bystander') === undefined, text.includes('"bystander"') && joined);
      }),
      { numRuns: 500 },
    );
  });
});
