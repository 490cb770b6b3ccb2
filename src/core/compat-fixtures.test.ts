import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../testing/fake-clock.js';
import { createSessionManager } from './manager.js';
import { MemoryStore } from './memory-store.js';

// A cookie and a stored record written by tessera 0.1.0 before the "one engine" rewrite (commit
// 34486cf), with this secret at this time: they must keep loading, byte for byte as written.
const SECRET = 'fixture-secret-fixture-secret-fixture-secret-0001';
const WRITTEN_AT = Date.UTC(2026, 11, 1, 12, 0, 0);
const STORE_COOKIE = 'sid=GAiWGXyCt1DbmyadDynebT5-9zcdHeXvWHGPG9S128I.OkqrnsK4wjOZkz7YaQGu-0e_cxG3k28AOIK9KO91z-o';
const STORE_KEY = 'F4_ENF6IdHyrzdwK6zQupZ__-vXxxAiznuoip1A7CmQ';
const STORE_RECORD =
  '{"v":1,"c":1796126400000,"s":1796126400000,"p":1,"u":"ada","m":{"userAgent":"fixture-agent","ip":"127.0.0.1"},"d":{"userId":"ada","cart":["apple",{"sku":"b-2","qty":3}]}}';
const SEALED_COOKIE =
  'sealed=AStcWOxaC59S9JP5kvHbTPQbe6eBCsi0WSs7coOQOxYRRMJWUr9sT0KZmAemDjbexxSfB9_aiyOff7cRdgjpK3mIWoSGMstM6ZBhLU9pTfrVurE2QouK-ClVnf8WQaLhpor1ggJZvgVAT22pYiSnbjUwxRUco1M0v6Urmcou7-PS0tmIqbg3nCUdOnXjQamhfJ6eLmH77m-NCIq8dzsA5ccYfDo6Ip3KGpSa78zEypeIlZjA0EKP70XtXJXY4ifmFRQGcolRvD2mNRKBhYRMcEWnd8c2RL1TjtMF4NsjDZNWeSU2qLvjgA';

describe('sessions written by the previous version still load', () => {
  it('store mode: the signed cookie finds the stored record, data and times intact, and a read writes nothing', async () => {
    const clock = new FakeClock(WRITTEN_AT + 30_000);
    const store = new MemoryStore({ clock });
    await store.set(STORE_KEY, STORE_RECORD, WRITTEN_AT + 1_800_000, { userId: 'ada' });
    const manager = createSessionManager({ secrets: SECRET, store, clock, cookie: { secure: false, name: 'sid' } });
    const session = await manager.load(STORE_COOKIE);
    assert.equal(session.isNew, false);
    assert.equal(session.get('userId'), 'ada');
    assert.deepEqual(session.get('cart'), ['apple', { sku: 'b-2', qty: 3 }]);
    assert.equal(session.persistent, true);
    assert.equal(session.createdAt, WRITTEN_AT);
    assert.deepEqual(await manager.commit(session), { setCookie: [], headers: [] });
    assert.equal(store.get(STORE_KEY), STORE_RECORD, 'the record is left exactly as the old version wrote it');
    const listed = await manager.listSessions('ada');
    assert.equal(listed.length, 1);
    const { handle, ...info } = listed[0]!;
    assert.match(handle, /^[A-Za-z0-9_-]{22}$/);
    assert.deepEqual(info, { createdAt: WRITTEN_AT, lastSeenAt: WRITTEN_AT, expiresAt: WRITTEN_AT + 1_800_000, userAgent: 'fixture-agent', ip: '127.0.0.1', current: false });
  });

  it('store mode: the new version encodes the same record the old one wrote', async () => {
    const clock = new FakeClock(WRITTEN_AT);
    const store = new MemoryStore({ clock });
    const manager = createSessionManager({ secrets: SECRET, store, clock, cookie: { secure: false, name: 'sid' } });
    const session = await manager.load(STORE_COOKIE);
    assert.equal(session.isNew, true, 'unknown before the record exists');
    await store.set(STORE_KEY, STORE_RECORD, WRITTEN_AT + 1_800_000, { userId: 'ada' });
    const loaded = await manager.load(STORE_COOKIE);
    loaded.touch();
    assert.equal((await manager.commit(loaded)).setCookie.length, 1, 'touch() rewrites the record and refreshes the persistent cookie');
    assert.equal(store.get(STORE_KEY), STORE_RECORD, 'rewritten at the same instant, the record is the same text');
  });

  it('sealed mode: the sealed cookie opens with its data', async () => {
    const clock = new FakeClock(WRITTEN_AT + 30_000);
    const manager = createSessionManager({ mode: 'cookie', secrets: SECRET, clock, cookie: { secure: false, name: 'sealed' } });
    const session = await manager.load(SEALED_COOKIE);
    assert.equal(session.isNew, false);
    assert.equal(session.get('userId'), 'ada');
    assert.equal(session.get('theme'), 'dark');
    assert.equal(session.createdAt, WRITTEN_AT);
    assert.deepEqual(await manager.commit(session), { setCookie: [], headers: [] });
  });
});
