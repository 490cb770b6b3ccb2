// TesseraStore: express-session's callback Store over a tessera SessionStore, on the contract
// stores keep (get, which may answer synchronously; set; delete; optional setIf): no store touch.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStore as TesseraMemoryStore, hashStoreKey } from '../index.js';
import type { SessionStore } from '../index.js';
import { TesseraStore } from './index.js';
import type { SessionData } from './index.js';

interface StoredRecord {
  value: string;
  expiresAt: number;
}

/** A store of the contract with a synchronous get; `afterGet` runs between a read and what follows it. */
function contractStore(options: { setIf: boolean }) {
  const records = new Map<string, StoredRecord>();
  const calls: string[] = [];
  const hooks: { afterGet?: () => void } = {};
  const store = {
    get(key: string): string | undefined {
      calls.push('get');
      const value = records.get(key)?.value;
      hooks.afterGet?.();
      return value;
    },
    async set(key: string, value: string, expiresAt: number) {
      calls.push('set');
      records.set(key, { value, expiresAt });
    },
    async delete(key: string) {
      calls.push('delete');
      records.delete(key);
    },
    async touch() {
      throw new Error('touch is not part of the contract any more');
    },
    ...(options.setIf && {
      async setIf(key: string, value: string, expiresAt: number, previous: string | undefined) {
        calls.push('setIf');
        if (records.get(key)?.value !== previous) return false;
        records.set(key, { value, expiresAt });
        return true;
      },
    }),
  };
  return { store: store as unknown as SessionStore, records, calls, hooks };
}

const call = <T = void>(run: (callback: (error?: unknown, value?: T) => void) => void) =>
  new Promise<T | undefined>((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value))));
const session = (expires: Date | null, data: object = {}): SessionData => ({ cookie: { expires, originalMaxAge: null, path: '/' }, ...data }) as unknown as SessionData;
const inAMinute = () => new Date(Date.now() + 60_000);
const inAnHour = () => new Date(Date.now() + 3_600_000);

describe('express-session compat: TesseraStore', () => {
  it('get answers from a store that answers synchronously, and from one that answers with a promise', async () => {
    for (const inner of [contractStore({ setIf: true }).store, new TesseraMemoryStore()]) {
      const store = new TesseraStore(inner);
      await call((cb) => store.set('sid', session(inAMinute(), { n: 1 }), cb));
      assert.equal((await call<SessionData | null>((cb) => store.get('sid', cb)))?.n, 1);
      assert.equal(await call<SessionData | null>((cb) => store.get('other', cb)), null);
    }
  });

  for (const setIf of [true, false]) {
    it(`touch${setIf ? ' (setIf)' : ' (set)'}: the stored data stays, the cookie and the expiry are the new ones; the store has no touch to call`, async () => {
      const { store: inner, records, calls } = contractStore({ setIf });
      const store = new TesseraStore(inner);
      await call((cb) => store.set('sid', session(inAMinute(), { n: 1 }), cb));
      const expires = inAnHour();
      calls.length = 0;
      await call((cb) => store.touch('sid', session(expires, { n: 99 }), cb));
      assert.deepEqual(calls, ['get', setIf ? 'setIf' : 'set']);
      const record = records.get(hashStoreKey('sid'))!;
      assert.equal(record.expiresAt, expires.getTime());
      assert.deepEqual(JSON.parse(record.value), { cookie: { expires: expires.toISOString(), originalMaxAge: null, path: '/' }, n: 1 });
    });
  }

  it('touch of a missing or unreadable session creates nothing', async () => {
    const { store: inner, records, calls } = contractStore({ setIf: true });
    const store = new TesseraStore(inner);
    await call((cb) => store.touch('missing', session(inAnHour()), cb));
    records.set(hashStoreKey('garbled'), { value: '{not json', expiresAt: Date.now() + 60_000 });
    await call((cb) => store.touch('garbled', session(inAnHour()), cb));
    assert.deepEqual(calls, ['get', 'get']);
    assert.equal(records.has(hashStoreKey('missing')), false);
    assert.equal(records.get(hashStoreKey('garbled'))!.value, '{not json');
  });

  it('touch with setIf never brings back a session destroyed meanwhile, nor overwrites a newer save', async () => {
    const { store: inner, records, hooks } = contractStore({ setIf: true });
    const store = new TesseraStore(inner);
    await call((cb) => store.set('sid', session(inAMinute(), { n: 1 }), cb));
    hooks.afterGet = () => records.delete(hashStoreKey('sid'));
    await call((cb) => store.touch('sid', session(inAnHour()), cb));
    assert.equal(records.has(hashStoreKey('sid')), false, 'destroyed stays destroyed');

    hooks.afterGet = undefined;
    await call((cb) => store.set('sid', session(inAMinute(), { n: 1 }), cb));
    const newer = JSON.stringify(session(inAMinute(), { n: 2 }));
    hooks.afterGet = () => records.set(hashStoreKey('sid'), { value: newer, expiresAt: Date.now() + 60_000 });
    await call((cb) => store.touch('sid', session(inAnHour()), cb));
    assert.equal(records.get(hashStoreKey('sid'))!.value, newer, 'the newer save wins');
  });

  it('touch to a past expiry deletes; a browser-session cookie lives for ttl', async () => {
    const { store: inner, records } = contractStore({ setIf: true });
    const store = new TesseraStore(inner, { ttl: 600 });
    await call((cb) => store.set('sid', session(inAMinute()), cb));
    await call((cb) => store.touch('sid', session(new Date(Date.now() - 1)), cb));
    assert.equal(records.has(hashStoreKey('sid')), false);
    await call((cb) => store.set('sid', session(inAMinute()), cb));
    const before = Date.now();
    await call((cb) => store.touch('sid', session(null), cb));
    const { expiresAt } = records.get(hashStoreKey('sid'))!;
    assert.ok(expiresAt >= before + 600_000 && expiresAt <= Date.now() + 600_000, 'now + ttl');
  });

  it('a store failure reaches the callback as ERR_SESSION_STORE', async () => {
    const { store: inner } = contractStore({ setIf: true });
    inner.get = () => {
      throw new Error('down');
    };
    const store = new TesseraStore(inner);
    await assert.rejects(call((cb) => store.touch('sid', session(inAnHour()), cb)), { code: 'ERR_SESSION_STORE' });
    await assert.rejects(call((cb) => store.get('sid', cb)), { code: 'ERR_SESSION_STORE' });
  });
});
