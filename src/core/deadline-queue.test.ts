import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDeadlineQueue } from './deadline-queue.js';
import { isSessionError } from './errors.js';

/** A promise settled by hand. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const outcome = <T>(promise: Promise<T>): { value?: T; error?: unknown; done: boolean } => {
  const state: { value?: T; error?: unknown; done: boolean } = { done: false };
  promise.then(
    (value) => Object.assign(state, { value, done: true }),
    (error: unknown) => Object.assign(state, { error, done: true }),
  );
  return state;
};

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('deadline queue (one timer bounds every store call)', () => {
  it('calls that settle in time keep their result; calls that hang time out in call order at their own deadline', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let clock = 0;
    const queue = createDeadlineQueue(1000, () => clock);
    const wrap = (error: unknown) => new Error(`wrapped: ${String(error)}`);
    const fast = deferred<string>();
    const hangs = deferred<string>();
    const fails = deferred<string>();
    const a = outcome(queue.bound('get', fast.promise, wrap));
    const b = outcome(queue.bound('get', hangs.promise, wrap));
    clock = 400;
    const late = deferred<string>();
    const c = outcome(queue.bound('set', late.promise, wrap));
    const d = outcome(queue.bound('delete', fails.promise, wrap));
    fast.resolve('value');
    fails.reject('boom');
    await flush();
    assert.deepEqual([a.done, a.value], [true, 'value']);
    assert.equal((d.error as Error).message, 'wrapped: boom');

    clock = 1000;
    t.mock.timers.tick(1000);
    await flush();
    assert.ok(b.done && isSessionError(b.error, 'ERR_SESSION_STORE'), 'the hanging call timed out at 1000 ms');
    assert.match((b.error as Error).message, /get timed out after 1000 ms/);
    assert.equal(c.done, false, 'the call made at 400 ms is still within its time');

    hangs.resolve('too late');
    clock = 1400;
    t.mock.timers.tick(400);
    await flush();
    assert.ok(c.done && isSessionError(c.error, 'ERR_SESSION_STORE'), 'the call made at 400 ms timed out at 1400 ms');
    late.resolve('too late');
    await flush();
    assert.ok(isSessionError(c.error), 'a late result never replaces the timeout');
  });

  it('10 000 calls that all settle leave no rejection behind', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let clock = 0;
    const queue = createDeadlineQueue(50, () => clock);
    const results = [];
    for (let i = 0; i < 10_000; i++) {
      results.push(queue.bound('get', Promise.resolve(i), (e) => e));
      clock += 1;
      if (i % 20 === 0) {
        // The calls so far have settled (their then-callbacks ran): the timer may fire now.
        await flush();
        t.mock.timers.tick(20);
      }
    }
    const values = await Promise.all(results);
    assert.equal(values.length, 10_000);
    assert.equal(values[9_999], 9_999);
    clock += 1000;
    t.mock.timers.tick(1000);
  });
});
