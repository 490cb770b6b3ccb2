import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock, runStoreConformance } from '../../testing/index.js';
import { createKeyring } from '../crypto/keyring.js';
import { MemoryStore } from '../memory-store.js';
import { resolveOptions } from '../options.js';
import type { SessionStore } from '../store.js';
import { UNREADABLE, encryptedStore } from './encrypted-store.js';
import { encodeForward } from './record.js';

const K1 = 'encrypted-store-key-one-0123456789abcdefgh';
const K2 = 'encrypted-store-key-two-0123456789abcdefgh';
const HOUR = 3_600_000;

// The wrapper is a store like any other: the whole conformance kit, in both modes.
for (const mode of ['on', 'migrate'] as const) {
  const clock = new FakeClock(Date.now());
  runStoreConformance(`encryptAtRest ${mode} over MemoryStore`, {
    makeStore: () => encryptedStore(new MemoryStore({ clock }), createKeyring(K1), mode),
    clock,
    requireAll: true,
  });
}

/** A memory store, the wrapper over it, and what it holds underneath. */
function setUp(mode: 'on' | 'migrate', secrets: string | string[] = K1, inner = new MemoryStore()) {
  return { inner, store: encryptedStore(inner, createKeyring(secrets), mode), at: Date.now() + HOUR };
}

describe('encryptAtRest: the store wrapper', () => {
  it('is the store itself when off, and keeps exactly the optional methods the store has', () => {
    const inner = new MemoryStore();
    assert.equal(encryptedStore(inner, createKeyring(K1), 'off'), inner);
    const bare: SessionStore = { get: () => undefined, set: async () => {}, delete: async () => {} };
    assert.deepEqual(Object.keys(encryptedStore(bare, createKeyring(K1), 'on')).sort(), ['delete', 'get', 'set']);
  });

  it('SM-36 the store holds no plaintext and no user ID; the manager reads the plaintext back', async () => {
    const { inner, store, at } = setUp('on');
    await store.set('k1', '{"v":1,"d":{"secret":"MARKER-77"}}', at, { userId: 'ada@example.com' });
    const raw = inner.get('k1')!;
    assert.ok(!raw.includes('MARKER') && !raw.startsWith('{'), raw);
    assert.deepEqual(await inner.listByUser('ada@example.com'), [], 'the index names an HMAC, not the user');
    assert.equal(store.get('k1'), '{"v":1,"d":{"secret":"MARKER-77"}}', 'a synchronous store stays synchronous');
    assert.deepEqual((await store.listByUser!('ada@example.com')).map((s) => [s.key, s.value]), [['k1', '{"v":1,"d":{"secret":"MARKER-77"}}']]);
  });

  it('SM-36 a value copied to another key, a tampered value and, with true, a plain record read as unreadable (never as missing, never as written)', async () => {
    const { inner, store, at } = setUp('on');
    await store.set('k1', '{"v":1}', at);
    await inner.set('k2', inner.get('k1')!, at);
    assert.equal(store.get('k2'), UNREADABLE);
    const raw = inner.get('k1')!;
    await inner.set('k1', `${raw.slice(0, 20)}${raw[20] === 'A' ? 'B' : 'A'}${raw.slice(21)}`, at);
    assert.equal(store.get('k1'), UNREADABLE);
    await inner.set('k3', '{"v":1,"d":{"userId":"admin"}}', at);
    assert.equal(store.get('k3'), UNREADABLE, 'no fallback to plain text: a writer to the store cannot forge a record');
    assert.equal(store.get('missing'), undefined);
  });

  it("'migrate' reads plain records, and the next compare-and-set of one replaces it with the sealed value", async () => {
    const { inner, store, at } = setUp('migrate');
    await inner.set('k1', '{"v":1,"c":1,"plain":true}', at, { userId: 'ada' });
    assert.equal(store.get('k1'), '{"v":1,"c":1,"plain":true}');
    assert.equal(await store.setIf!('k1', '{"v":1,"c":1,"plain":false}', at, '{"v":1,"c":1,"plain":true}', { userId: 'ada' }), true);
    assert.ok(!inner.get('k1')!.startsWith('{'));
    assert.equal(store.get('k1'), '{"v":1,"c":1,"plain":false}');
    await inner.set('k2', '{"v":1,"c":2,"other":true}', at, { userId: 'ada' });
    assert.deepEqual((await store.listByUser!('ada')).map((s) => s.key).sort(), ['k1', 'k2'], 'both the plain and the hashed index entries are found');
    assert.equal(await store.deleteByUser!('ada'), 2);
    assert.equal(store.get('k2'), undefined);
    await inner.set('k3', 'not json, not sealed', at);
    assert.equal(store.get('k3'), UNREADABLE);
  });

  it("SM-36 'migrate' reads only session records in plain: a planted renewal forward or succession marker is unreadable", async () => {
    const { inner, store, at } = setUp('migrate');
    await store.set('victim', '{"v":1,"c":1,"d":{}}', at);
    await inner.set('attacker', encodeForward({ key: 'victim', until: at }), at);
    assert.equal(store.get('attacker'), UNREADABLE, 'a plain forward would lead to the sealed record under another key');
    await inner.set('marker', '{"v":1,"succession":["victim"]}', at);
    assert.equal(store.get('marker'), UNREADABLE);
  });

  it("SM-36 'migrate': a user ID shaped like another user's HMAC index name reaches only its own sessions", async () => {
    const { inner, store, at } = setUp('migrate');
    await store.set('alice-key', '{"v":1,"c":1}', at, { userId: 'alice' });
    // What a reader of the store sees as alice's index name:
    const names: string[] = [];
    const spy = encryptedStore({ ...inner, get: (k) => inner.get(k), set: async (_k, _v, _e, meta) => void names.push(meta!.userId!), delete: (k) => inner.delete(k) }, createKeyring(K1), 'migrate');
    await spy.set('x', '{"v":1,"c":1}', at, { userId: 'alice' });
    assert.equal(await store.deleteByUser!(names[0]!), 0, "the chosen ID is not taken as alice's plain index name");
    assert.equal(store.get('alice-key'), '{"v":1,"c":1}');
  });

  it('compare-and-set names the value as read: it succeeds on a match and fails on any other value', async () => {
    const { store, at } = setUp('on');
    assert.equal(await store.setIf!('k', '{"n":1}', at, undefined), true);
    assert.equal(await store.setIf!('k', '{"n":2}', at, undefined), false);
    assert.equal(await store.setIf!('k', '{"n":3}', at, '{"n":0}'), false);
    assert.equal(await store.setIf!('k', '{"n":2}', at, '{"n":1}'), true);
    assert.equal(store.get('k'), '{"n":2}');
  });

  it('key rotation: a value sealed under the old secret opens, its compare-and-set succeeds, and the index finds it under the old HMAC', async () => {
    const inner = new MemoryStore();
    const before = setUp('on', K1, inner).store;
    await before.set('k', '{"n":1}', Date.now() + HOUR, { userId: 'ada' });
    const after = setUp('on', [K2, K1], inner).store;
    assert.equal(after.get('k'), '{"n":1}');
    assert.equal((await after.listByUser!('ada')).length, 1);
    assert.equal(await after.setIf!('k', '{"n":2}', Date.now() + HOUR, '{"n":1}', { userId: 'ada' }), true);
    assert.equal(setUp('on', K2, inner).store.get('k'), '{"n":2}', 'rewritten under the new key');
    assert.equal(await after.deleteByUser!('ada'), 1);
  });

  it("a store answering with another library's thenable is read through it", async () => {
    const inner = new MemoryStore();
    const thenable: SessionStore = {
      get: (key) => ({ then: (ok: (v: string | undefined) => void) => ok(inner.get(key) as string | undefined) }) as unknown as Promise<string | undefined>,
      set: (...args) => inner.set(...args),
      delete: (key) => inner.delete(key),
    };
    const store = encryptedStore(thenable, createKeyring(K1), 'on');
    await store.set('k', '{"n":1}', Date.now() + HOUR);
    assert.equal(await store.get('k'), '{"n":1}');
  });

  it('the option: true, false, migrate; anything else and cookie mode are refused', () => {
    const base = { secrets: K1 };
    assert.equal(resolveOptions(base).encryptAtRest, 'off');
    assert.equal(resolveOptions({ ...base, encryptAtRest: true }).encryptAtRest, 'on');
    assert.equal(resolveOptions({ ...base, encryptAtRest: 'migrate' }).encryptAtRest, 'migrate');
    assert.throws(() => resolveOptions({ ...base, encryptAtRest: 'yes' as never }), { code: 'ERR_SESSION_CONFIG', message: /encryptAtRest must be true, false or 'migrate'; got "yes"/ });
    assert.throws(() => resolveOptions({ ...base, mode: 'cookie', encryptAtRest: true as never }), { code: 'ERR_SESSION_CONFIG', message: /encryptAtRest is not used in mode: 'cookie'/ });
  });
});
