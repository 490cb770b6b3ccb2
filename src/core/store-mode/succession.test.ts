import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MemoryStore } from '../memory-store.js';
import { createStoreCaller } from '../store-caller.js';
import { SUCCESSION_TTL_MS, endSuccession, joinSuccession, successionKey } from './succession.js';

const NOW = 1_800_000_000_000;
const clock = { now: () => NOW };
const secret = Buffer.alloc(32, 7);

/** A store holding the loaded record's marker key and two successor records. */
function setUp(): { store: MemoryStore; caller: ReturnType<typeof createStoreCaller>; marker: string } {
  const store = new MemoryStore({ clock });
  return { store, caller: createStoreCaller(store, 1000), marker: successionKey(secret, 'loaded-key') };
}

describe('succession markers (regenerate racing a destroy)', () => {
  it('a destroy after the regenerates joined removes every successor; the marker expires after SUCCESSION_TTL_MS', async () => {
    const { store, caller, marker } = setUp();
    for (const key of ['next-a', 'next-b']) {
      store.set(key, 'record', NOW + 3_600_000);
      assert.equal(await joinSuccession(caller, marker, key, NOW, 3), true);
    }
    await endSuccession(caller, marker, NOW, 3);
    assert.equal(store.get('next-a'), undefined);
    assert.equal(store.get('next-b'), undefined);
    assert.notEqual(store.get(marker), undefined);
    const later = new MemoryStore({ clock: { now: () => NOW + SUCCESSION_TTL_MS } });
    later.set(marker, store.get(marker)!, NOW + SUCCESSION_TTL_MS);
    assert.equal(later.get(marker), undefined, 'gone at NOW + SUCCESSION_TTL_MS');
  });

  it('a regenerate joining after the destroy ended the succession is told so, and a second end is a no-op', async () => {
    const { caller, marker } = setUp();
    await endSuccession(caller, marker, NOW, 3);
    assert.equal(await joinSuccession(caller, marker, 'next', NOW, 3), false);
    await endSuccession(caller, marker, NOW, 3);
    assert.equal(await joinSuccession(caller, marker, 'next', NOW, 3), false);
  });

  it('a store without compare-and-set gets no marker (last write wins there)', async () => {
    const writes: string[] = [];
    const store = { get: () => undefined, set: async (key: string) => void writes.push(key), delete: async () => {} };
    const caller = createStoreCaller(store, 1000);
    assert.equal(await joinSuccession(caller, 'marker', 'next', NOW, 3), true);
    await endSuccession(caller, 'marker', NOW, 3);
    assert.deepEqual(writes, []);
  });

  it('markers of different loaded records differ, and name no session ID', () => {
    assert.notEqual(successionKey(secret, 'a'), successionKey(secret, 'b'));
    assert.notEqual(successionKey(secret, 'a'), successionKey(Buffer.alloc(32, 8), 'a'));
    assert.match(successionKey(secret, 'a'), /^[A-Za-z0-9_-]{43}$/);
  });

  it('property: whatever text sits under the marker, join and end never throw; only a list of keys is joined, and end deletes only what it listed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json(), fc.array(fc.string()).map((keys) => `{"v":1,"succession":${JSON.stringify(keys)}}`)), async (text) => {
        const { store, caller, marker } = setUp();
        store.set(marker, text, NOW + 1000);
        store.set('bystander', 'record', NOW + 3_600_000);
        const joined = await joinSuccession(caller, marker, 'next', NOW, 3);
        const list = text.startsWith('{"v":1,"succession":[') ? (JSON.parse(text) as { succession: string[] }).succession : undefined;
        assert.equal(joined, list !== undefined);
        store.set('next', 'record', NOW + 3_600_000);
        await endSuccession(caller, marker, NOW, 3);
        assert.equal(store.get('next') === undefined, joined);
        if (!(list ?? []).includes('bystander')) assert.equal(store.get('bystander'), 'record');
      }),
      { numRuns: 500 },
    );
  });
});
