import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSessionError } from './errors.js';
import { MemoryStore } from './memory-store.js';
import { createStoreCaller, isStoreTimeout } from './store-caller.js';
import type { SessionStore } from './store.js';

const hanging = (): SessionStore => ({ get: () => new Promise(() => {}), set: () => new Promise(() => {}), delete: () => Promise.resolve() });
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('store caller: every call bounded in time, every failure ERR_SESSION_STORE', () => {
  it('a call that hangs fails with ERR_SESSION_STORE at storeTimeout, not before', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const caller = createStoreCaller(hanging(), 1000);
    let outcome: unknown = 'pending';
    caller.get('k').then((value) => (outcome = value), (error: unknown) => (outcome = error));
    t.mock.timers.tick(999);
    await flush();
    assert.equal(outcome, 'pending');
    t.mock.timers.tick(1);
    await flush();
    assert.ok(isSessionError(outcome, 'ERR_SESSION_STORE') && /get timed out after 1000 ms/.test(outcome.message), String(outcome));
  });

  it('answers in time keep their value; a synchronous store answers without a promise', async () => {
    const store = new MemoryStore();
    const caller = createStoreCaller(store, 1000);
    await caller.set('k', 'v', Date.now() + 60_000);
    assert.equal(caller.read('k'), 'v');
    assert.equal(await caller.get('k'), 'v');
  });

  it('driver failures, thrown or rejected, become ERR_SESSION_STORE with the cause kept', async () => {
    const cause = new Error('connection refused');
    const caller = createStoreCaller({ get: () => { throw cause; }, set: () => Promise.reject(cause), delete: () => Promise.reject(cause) }, 0);
    assert.throws(() => caller.read('k'), (e: unknown) => isSessionError(e, 'ERR_SESSION_STORE') && e.cause === cause);
    await assert.rejects(caller.get('k'), (e: unknown) => isSessionError(e, 'ERR_SESSION_STORE'));
    await assert.rejects(caller.set('k', 'v', 1), (e: unknown) => isSessionError(e, 'ERR_SESSION_STORE') && /set failed: connection refused/.test((e as Error).message));
  });

  it('without setIf, compare-and-set falls back to set; without a user index, listing is ERR_SESSION_UNSUPPORTED', async () => {
    const written: string[] = [];
    const caller = createStoreCaller({ get: () => undefined, set: async (key) => void written.push(key), delete: async () => {} }, 0);
    assert.equal(await caller.setIf('k', 'v', 1, 'old'), true);
    assert.deepEqual(written, ['k']);
    await assert.rejects(caller.listByUser('u'), (e: unknown) => isSessionError(e, 'ERR_SESSION_UNSUPPORTED'));
  });

  it('withDeadline: the calls of one commit share one deadline, storeTimeout from its start', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const slowSet: SessionStore = { get: () => new Promise(() => {}), set: () => new Promise((resolve) => setTimeout(resolve, 600)), delete: () => Promise.resolve() };
    const caller = createStoreCaller(slowSet, 1000);
    let outcome: unknown = 'pending';
    caller.withDeadline(async (c) => (await c.set('k', 'v', 1), c.get('k'))).then((value) => (outcome = value), (error: unknown) => (outcome = error));
    t.mock.timers.tick(600);
    await flush();
    t.mock.timers.tick(399);
    await flush();
    assert.equal(outcome, 'pending', '999 ms in: the set is done, the get waits');
    t.mock.timers.tick(1);
    await flush();
    assert.ok(isSessionError(outcome, 'ERR_SESSION_STORE') && /get timed out after 1000 ms/.test(outcome.message), String(outcome));
  });

  it('turn: a commit waits for its turn however long, then its deadline starts afresh; timeouts are told apart from failures', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const caller = createStoreCaller(hanging(), 1000);
    let release!: () => void;
    const turn = new Promise<void>((resolve) => (release = resolve));
    let outcome: unknown = 'pending';
    caller.withDeadline(async (c) => (await c.turn(turn), c.get('k'))).then((value) => (outcome = value), (error: unknown) => (outcome = error));
    t.mock.timers.tick(3000);
    await flush();
    assert.equal(outcome, 'pending', '3 s in the queue');
    release();
    await flush();
    t.mock.timers.tick(999);
    await flush();
    assert.equal(outcome, 'pending', 'its get has a full storeTimeout');
    t.mock.timers.tick(1);
    await flush();
    assert.ok(isSessionError(outcome, 'ERR_SESSION_STORE') && isStoreTimeout(outcome), String(outcome));
    const failed = await createStoreCaller({ get: () => Promise.reject(new Error('refused')), set: async () => {}, delete: async () => {} }, 1000).get('k').catch((e: unknown) => e);
    assert.ok(isSessionError(failed, 'ERR_SESSION_STORE') && !isStoreTimeout(failed));
  });
});
