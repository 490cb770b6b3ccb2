import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SessionStore, StoredSession } from '../core/index.js';
import type { FakeClock } from './fake-clock.js';

/** The optional methods of `SessionStore` that the suite detects on the store object. */
export type StoreFeature = 'touch' | 'setIf' | 'listByUser' | 'deleteByUser' | 'deleteExpired';

/** Options of {@link runStoreConformance}. */
export interface StoreConformanceOptions {
  /**
   * Makes the store under test. Called before every case (and twice in the `close()` case), so it
   * must return a new store object each time; the objects may share one backend (one client, one
   * table, one key prefix): every case writes keys and user IDs unique to this suite run and to
   * the case, so records of other cases never get in the way. The store made for a case is
   * closed after it.
   */
  makeStore: () => Promise<SessionStore> | SessionStore;
  /**
   * The clock the store was given, when it takes one. Expiry cases then move it forward instead
   * of waiting. Without it, expiry cases use real time: records that expire about 250 ms after
   * being written, and polling bounded by a 3 s deadline.
   */
  clock?: FakeClock;
  /** When set, the whole suite is skipped, visibly, with this reason (e.g. "PostgreSQL unreachable"). */
  skip?: string;
  /**
   * When true, a store that lacks one of the optional methods (`touch`, `setIf`, `listByUser`,
   * `deleteByUser`, `deleteExpired`) fails the cases that need it. When false (the default),
   * those cases are skipped with a reason. tessera's own stores run with `true`.
   */
  requireAll?: boolean;
}

const HOUR_MS = 3_600_000;
const REAL_SHORT_TTL_MS = 250;
const FAKE_SHORT_TTL_MS = 10_000;
const POLL_DEADLINE_MS = 3_000;
const POLL_STEP_MS = 20;

function byKey(a: StoredSession, b: StoredSession): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * Defines the tessera store conformance suite with `node:test`: one `describe` named after
 * `name` holding one `it` per rule of the {@link SessionStore} contract (reads, writes, expiry,
 * touch, compare-and-set, the per-user index, housekeeping, unusual keys and values, 1 MB values,
 * concurrency, close). Run it against the real backend, from a test file:
 *
 * ```ts
 * import { runStoreConformance, FakeClock } from 'tessera/testing';
 * const clock = new FakeClock();
 * runStoreConformance('MyStore', { makeStore: () => new MyStore(client, { clock }), clock, requireAll: true });
 * ```
 *
 * Cases that need an optional method the store lacks are skipped, or fail with `requireAll`.
 */
export function runStoreConformance(name: string, options: StoreConformanceOptions): void {
  const { makeStore, clock, requireAll = false } = options;
  // Keys and user IDs of this run: base64url, so '-' and '_' are exercised on every key.
  const run = randomBytes(9).toString('base64url');
  let caseNumber = 0;
  let store: SessionStore;

  const now = (): number => (clock ? clock.now() : Date.now());
  const later = (): number => now() + HOUR_MS;
  const soon = (): number => now() + (clock ? FAKE_SHORT_TTL_MS : REAL_SHORT_TTL_MS);

  /** Moves time (fake or real) until `at` has passed. */
  async function passBeyond(at: number): Promise<void> {
    if (clock) {
      clock.set(Math.max(clock.now(), at + 1));
      return;
    }
    const wait = at - Date.now() + 5;
    if (wait > 0) await sleep(Math.min(wait, POLL_DEADLINE_MS));
  }

  /** A key prefix unique to this run and case. */
  function prefix(): string {
    return `${run}-c${caseNumber}`;
  }

  /** True when the store has `feature`; otherwise skips the case, or fails it under `requireAll`. */
  function has(t: TestContext, feature: StoreFeature): boolean {
    if (typeof store[feature] === 'function') return true;
    if (requireAll) assert.fail(`${name} has no ${feature}(), which requireAll demands`);
    t.skip(`${name} has no ${feature}()`);
    return false;
  }

  describe(`${name}: store conformance`, { skip: options.skip ?? false }, () => {
    beforeEach(async () => {
      caseNumber++;
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close?.();
    });

    it('get of a missing key is undefined', async () => {
      assert.equal(await store.get(`${prefix()}-missing`), undefined);
    });

    it('set then get returns the value', async () => {
      const key = `${prefix()}-k`;
      await store.set(key, 'value-1', later());
      assert.equal(await store.get(key), 'value-1');
    });

    it('getSync, where the store has it, answers as get does', async (t) => {
      if (store.getSync === undefined) {
        t.diagnostic('no getSync: the manager awaits get');
        return;
      }
      const key = `${prefix()}-k`;
      assert.equal(store.getSync(key), undefined, 'missing');
      await store.set(key, 'value-1', later());
      assert.equal(store.getSync(key), 'value-1');
      assert.equal(store.getSync(key), await store.get(key));
      await store.delete(key);
      assert.equal(store.getSync(key), undefined, 'deleted');
      if (clock) {
        const expiresAt = soon();
        await store.set(key, 'short-lived', expiresAt);
        clock.set(expiresAt + 1);
        assert.equal(store.getSync(key), undefined, 'expired');
      }
    });

    it('set overwrites', async () => {
      const key = `${prefix()}-k`;
      await store.set(key, 'value-1', later());
      await store.set(key, 'value-2', later());
      assert.equal(await store.get(key), 'value-2');
    });

    it('expiry is honoured at read: never returned after expiresAt', async () => {
      const key = `${prefix()}-k`;
      const expiresAt = soon();
      await store.set(key, 'short-lived', expiresAt);
      if (clock) {
        clock.set(expiresAt - 1);
        assert.equal(await store.get(key), 'short-lived', 'readable 1 ms before expiresAt');
        clock.set(expiresAt + 1);
        assert.equal(await store.get(key), undefined, 'gone 1 ms after expiresAt');
        return;
      }
      const deadline = Date.now() + POLL_DEADLINE_MS;
      for (;;) {
        const askedAt = Date.now();
        const value = await store.get(key);
        if (value === undefined) break;
        assert.equal(value, 'short-lived');
        assert.ok(askedAt <= expiresAt, `returned ${askedAt - expiresAt} ms after expiresAt`);
        assert.ok(Date.now() < deadline, `still readable ${POLL_DEADLINE_MS} ms after the write`);
        await sleep(POLL_STEP_MS);
      }
      assert.ok(Date.now() >= expiresAt - 50, 'gone well before expiresAt');
    });

    it('set with an expiresAt already past is not readable', async () => {
      const key = `${prefix()}-k`;
      await store.set(key, 'stale', now() - 1000);
      assert.equal(await store.get(key), undefined);
      const live = `${prefix()}-live`;
      await store.set(live, 'live', later());
      await store.set(live, 'stale', now() - 1000);
      assert.equal(await store.get(live), undefined, 'overwriting with a past expiry removes the live record');
    });

    it('delete is idempotent: twice, and on a missing key', async () => {
      const key = `${prefix()}-k`;
      await store.set(key, 'v', later());
      await store.delete(key);
      assert.equal(await store.get(key), undefined);
      await store.delete(key);
      await store.delete(`${prefix()}-never-written`);
      assert.equal(await store.get(key), undefined);
    });

    it('touch moves the expiry only: value unchanged, outlives its old expiry', async (t) => {
      if (!has(t, 'touch')) return;
      const key = `${prefix()}-k`;
      const oldExpiry = soon();
      await store.set(key, 'touched', oldExpiry);
      const newExpiry = later();
      await store.touch!(key, newExpiry);
      await passBeyond(oldExpiry);
      assert.equal(await store.get(key), 'touched');
    });

    it('touch keeps the record in its user index and moves the listed expiry', async (t) => {
      if (!has(t, 'touch') || !has(t, 'listByUser')) return;
      const key = `${prefix()}-k`;
      const user = `${prefix()}-user`;
      await store.set(key, 'v', soon(), { userId: user });
      const newExpiry = later();
      await store.touch!(key, newExpiry);
      const list = await store.listByUser!(user);
      assert.equal(list.length, 1);
      assert.equal(list[0]!.key, key);
      assert.ok(Math.abs(list[0]!.expiresAt - newExpiry) <= 1000, 'expiresAt is the touched one');
    });

    it('touch of a missing or expired key creates nothing', async (t) => {
      if (!has(t, 'touch')) return;
      const missing = `${prefix()}-missing`;
      await store.touch!(missing, later());
      assert.equal(await store.get(missing), undefined);
      const expired = `${prefix()}-expired`;
      const expiresAt = soon();
      await store.set(expired, 'v', expiresAt);
      await passBeyond(expiresAt);
      await store.touch!(expired, later());
      assert.equal(await store.get(expired), undefined, 'touch does not revive an expired record');
    });

    it('setIf writes when previous is the current value', async (t) => {
      if (!has(t, 'setIf')) return;
      const key = `${prefix()}-k`;
      await store.set(key, 'v1', later());
      assert.equal(await store.setIf!(key, 'v2', later(), 'v1'), true);
      assert.equal(await store.get(key), 'v2');
    });

    it('setIf conflict: a stale previous returns false and leaves the value', async (t) => {
      if (!has(t, 'setIf')) return;
      const key = `${prefix()}-k`;
      await store.set(key, 'v1', later());
      assert.equal(await store.setIf!(key, 'v2', later(), 'v0'), false);
      assert.equal(await store.get(key), 'v1');
      assert.equal(await store.setIf!(key, 'v2', later(), 'v1 '), false, 'a trailing space is a different value');
      assert.equal(await store.get(key), 'v1');
    });

    it('setIf with a previous value on a missing or expired record fails (no re-creation)', async (t) => {
      if (!has(t, 'setIf')) return;
      const missing = `${prefix()}-missing`;
      assert.equal(await store.setIf!(missing, 'v2', later(), 'v1'), false);
      assert.equal(await store.get(missing), undefined);
      const expired = `${prefix()}-expired`;
      const expiresAt = soon();
      await store.set(expired, 'v1', expiresAt);
      await passBeyond(expiresAt);
      assert.equal(await store.setIf!(expired, 'v2', later(), 'v1'), false);
      assert.equal(await store.get(expired), undefined);
    });

    it('setIf with previous undefined creates on an absent key', async (t) => {
      if (!has(t, 'setIf')) return;
      const key = `${prefix()}-k`;
      assert.equal(await store.setIf!(key, 'created', later(), undefined), true);
      assert.equal(await store.get(key), 'created');
    });

    it('setIf with previous undefined fails on a present key', async (t) => {
      if (!has(t, 'setIf')) return;
      const key = `${prefix()}-k`;
      await store.set(key, 'existing', later());
      assert.equal(await store.setIf!(key, 'intruder', later(), undefined), false);
      assert.equal(await store.get(key), 'existing');
    });

    it('setIf with previous undefined succeeds over an expired record', async (t) => {
      if (!has(t, 'setIf')) return;
      const key = `${prefix()}-k`;
      const expiresAt = soon();
      await store.set(key, 'old', expiresAt);
      await passBeyond(expiresAt);
      assert.equal(await store.setIf!(key, 'fresh', later(), undefined), true);
      assert.equal(await store.get(key), 'fresh');
    });

    it("listByUser returns exactly the user's live records", async (t) => {
      if (!has(t, 'listByUser')) return;
      const user = `${prefix()}-alice`;
      const other = `${prefix()}-bob`;
      const a = { key: `${prefix()}-a`, value: 'va', expiresAt: later() };
      const b = { key: `${prefix()}-b`, value: 'vb', expiresAt: later() + 60_000 };
      await store.set(a.key, a.value, a.expiresAt, { userId: user });
      await store.set(b.key, b.value, b.expiresAt, { userId: user });
      await store.set(`${prefix()}-other`, 'vo', later(), { userId: other });
      await store.set(`${prefix()}-anon`, 'vn', later());
      const expiresAt = soon();
      await store.set(`${prefix()}-expired`, 've', expiresAt, { userId: user });
      await passBeyond(expiresAt);
      const list = (await store.listByUser!(user)).sort(byKey);
      assert.deepEqual(list.map((s) => [s.key, s.value]), [[a.key, a.value], [b.key, b.value]]);
      assert.ok(Math.abs(list[0]!.expiresAt - a.expiresAt) <= 1000, 'expiresAt of a within 1 s');
      assert.ok(Math.abs(list[1]!.expiresAt - b.expiresAt) <= 1000, 'expiresAt of b within 1 s');
      assert.deepEqual(await store.listByUser!(`${prefix()}-nobody`), []);
    });

    it('setIf feeds the user index', async (t) => {
      if (!has(t, 'setIf') || !has(t, 'listByUser')) return;
      const user = `${prefix()}-carol`;
      const key = `${prefix()}-k`;
      assert.equal(await store.setIf!(key, 'v1', later(), undefined, { userId: user }), true);
      assert.deepEqual((await store.listByUser!(user)).map((s) => s.key), [key]);
      assert.equal(await store.setIf!(key, 'v2', later(), 'v1', { userId: user }), true);
      assert.deepEqual((await store.listByUser!(user)).map((s) => s.value), ['v2']);
    });

    it('deleteByUser without exceptKeys deletes all of the user and returns the count', async (t) => {
      if (!has(t, 'deleteByUser') || !has(t, 'listByUser')) return;
      const user = `${prefix()}-dave`;
      const other = `${prefix()}-erin`;
      await store.set(`${prefix()}-1`, 'v1', later(), { userId: user });
      await store.set(`${prefix()}-2`, 'v2', later(), { userId: user });
      await store.set(`${prefix()}-o`, 'vo', later(), { userId: other });
      await store.set(`${prefix()}-n`, 'vn', later());
      assert.equal(await store.deleteByUser!(user), 2);
      assert.equal(await store.get(`${prefix()}-1`), undefined);
      assert.equal(await store.get(`${prefix()}-2`), undefined);
      assert.deepEqual(await store.listByUser!(user), []);
      assert.equal(await store.get(`${prefix()}-o`), 'vo');
      assert.equal(await store.get(`${prefix()}-n`), 'vn');
      assert.equal(await store.deleteByUser!(user), 0);
      assert.equal(await store.deleteByUser!(`${prefix()}-nobody`), 0);
    });

    it('deleteByUser with exceptKeys keeps those keys', async (t) => {
      if (!has(t, 'deleteByUser') || !has(t, 'listByUser')) return;
      const user = `${prefix()}-frank`;
      const keys = [1, 2, 3, 4].map((n) => `${prefix()}-${n}`);
      for (const key of keys) await store.set(key, `v-${key}`, later(), { userId: user });
      await store.set(`${prefix()}-o`, 'vo', later(), { userId: `${prefix()}-grace` });
      assert.equal(await store.deleteByUser!(user, [keys[1]!, keys[3]!, `${prefix()}-not-theirs`]), 2);
      assert.equal(await store.get(keys[0]!), undefined);
      assert.equal(await store.get(keys[1]!), `v-${keys[1]!}`);
      assert.equal(await store.get(keys[2]!), undefined);
      assert.equal(await store.get(keys[3]!), `v-${keys[3]!}`);
      assert.equal(await store.get(`${prefix()}-o`), 'vo');
      assert.deepEqual((await store.listByUser!(user)).map((s) => s.key).sort(), [keys[1]!, keys[3]!].sort());
      assert.equal(await store.deleteByUser!(user, []), 2, 'an empty exceptKeys deletes all');
    });

    it("a record re-set without a userId, or with another, leaves the old user's list", async (t) => {
      if (!has(t, 'listByUser')) return;
      const user = `${prefix()}-heidi`;
      const next = `${prefix()}-ivan`;
      const anon = `${prefix()}-anon`;
      const moved = `${prefix()}-moved`;
      await store.set(anon, 'v', later(), { userId: user });
      await store.set(moved, 'v', later(), { userId: user });
      await store.set(anon, 'v2', later());
      await store.set(moved, 'v2', later(), { userId: next });
      assert.deepEqual(await store.listByUser!(user), []);
      assert.deepEqual((await store.listByUser!(next)).map((s) => [s.key, s.value]), [[moved, 'v2']]);
      if (typeof store.deleteByUser === 'function') {
        assert.equal(await store.deleteByUser(user), 0);
        assert.equal(await store.get(anon), 'v2');
      }
    });

    it('deleteExpired removes expired records and returns how many', async (t) => {
      if (!has(t, 'deleteExpired')) return;
      await store.deleteExpired!(); // what earlier cases left behind
      const expiresAt = soon();
      for (const n of [1, 2, 3]) await store.set(`${prefix()}-expired-${n}`, 'e', expiresAt);
      await store.set(`${prefix()}-live-1`, 'l1', later());
      await store.set(`${prefix()}-live-2`, 'l2', later(), { userId: `${prefix()}-judy` });
      await passBeyond(expiresAt);
      assert.equal(await store.deleteExpired!(), 3);
      assert.equal(await store.get(`${prefix()}-live-1`), 'l1');
      assert.equal(await store.get(`${prefix()}-live-2`), 'l2');
      assert.equal(await store.deleteExpired!(), 0);
    });

    it('keys with unusual characters round-trip and do not collide', async () => {
      const p = prefix();
      const keys = [
        `${p}-AZaz09-_`,
        `${p}-azAZ09-_`,
        `${p}-case`,
        `${p}-CASE`,
        `${p}-it's`,
        `${p}-say "hi"`,
        `${p}-a;b;--`,
        `${p}-100%`,
        `${p}-1_0`,
        `${p}-1x0`,
        `${p}-with space`,
        `${p}-pad`,
        `${p}-pad `,
        `${p}-ünïcödé-日本語-🔑`,
        `${p}-back\\slash`,
        `${p}-back\\\\slash`,
        `${p}-`.padEnd(200, 'k'),
        `${p}-`.padEnd(199, 'k'),
      ];
      assert.equal(new Set(keys).size, keys.length);
      for (const [i, key] of keys.entries()) await store.set(key, `value-${i}`, later());
      for (const [i, key] of keys.entries()) assert.equal(await store.get(key), `value-${i}`, `key ${JSON.stringify(key)}`);
      await store.delete(`${p}-pad`);
      assert.equal(await store.get(`${p}-pad `), `value-${keys.indexOf(`${p}-pad `)}`);
      assert.equal(await store.get(`${p}-1%0`), undefined, 'no pattern matching on keys');
    });

    it('values with unicode, quotes and whitespace round-trip exactly', async () => {
      const values = [
        '',
        `it's "quoted" \`backticked\``,
        'back\\slash \\\\ and \\u0041 and \\n',
        'line\nbreak\r\nand\ttab',
        '  padded  ',
        'ünïcödé 日本語 🔑🧪 e\u0301 \u00e9 \u200b',
        '{"json":true,"nested":{"a":[1,"two"]}}',
        "'; DROP TABLE sessions; --",
      ];
      for (const [i, value] of values.entries()) await store.set(`${prefix()}-${i}`, value, later());
      for (const [i, value] of values.entries()) assert.equal(await store.get(`${prefix()}-${i}`), value, `value ${JSON.stringify(value)}`);
    });

    it('a 1 MB value round-trips', async () => {
      const value = `${randomBytes(786_432).toString('base64')}é🔑`;
      assert.ok(value.length > 1_048_576);
      const key = `${prefix()}-big`;
      await store.set(key, value, later());
      const got = await store.get(key);
      assert.ok(got === value, `1 MB value differs: got ${got === undefined ? 'undefined' : `${got.length} chars`}`);
    });

    it('100 concurrent sets to distinct keys are all readable', async () => {
      const keys = Array.from({ length: 100 }, (_, i) => `${prefix()}-${i}`);
      await Promise.all(keys.map((key, i) => store.set(key, `v${i}`, later())));
      const got = await Promise.all(keys.map((key) => store.get(key)));
      assert.deepEqual(got, keys.map((_, i) => `v${i}`));
    });

    it('100 concurrent setIf on one key from the same previous: exactly one wins', async (t) => {
      if (!has(t, 'setIf')) return;
      const key = `${prefix()}-k`;
      await store.set(key, 'v0', later());
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => store.setIf!(key, `w${i}`, later(), 'v0')));
      const winners = results.flatMap((won, i) => (won ? [i] : []));
      assert.equal(winners.length, 1, `winners: ${winners.join(', ')}`);
      assert.equal(await store.get(key), `w${winners[0]!}`);
    });

    it('100 concurrent setIf creating one absent key: exactly one wins', async (t) => {
      if (!has(t, 'setIf')) return;
      const key = `${prefix()}-k`;
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => store.setIf!(key, `c${i}`, later(), undefined)));
      const winners = results.flatMap((won, i) => (won ? [i] : []));
      assert.equal(winners.length, 1, `winners: ${winners.join(', ')}`);
      assert.equal(await store.get(key), `c${winners[0]!}`);
    });

    it('close() resolves, twice, and leaves the client usable by another store', async () => {
      const key = `${prefix()}-k`;
      const first = await makeStore();
      await first.set(key, 'before-close', later());
      await first.close?.();
      await first.close?.();
      const second = await makeStore();
      try {
        // When makeStore shares one client, a close() that ended it makes this fail.
        await second.set(key, 'after-close', later());
        assert.equal(await second.get(key), 'after-close');
      } finally {
        await second.close?.();
      }
    });
  });
}
