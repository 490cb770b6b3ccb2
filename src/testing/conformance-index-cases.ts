// Conformance cases of the optional methods: compare-and-set, the per-user index, housekeeping.
import assert from 'node:assert/strict';
import type { StoredSession } from '../index.js';
import type { ConformanceCase } from './conformance-case.js';

function byKey(a: StoredSession, b: StoredSession): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** `setIf`: compare-and-set, creation, no re-creation, concurrency. */
export const compareAndSetCases: readonly ConformanceCase[] = [
  {
    title: 'setIf writes when previous is the current value',
    needs: ['setIf'],
    async run({ store, prefix, later }) {
      const key = `${prefix()}-k`;
      await store.set(key, 'v1', later());
      assert.equal(await store.setIf!(key, 'v2', later(), 'v1'), true);
      assert.equal(await store.get(key), 'v2');
    },
  },
  {
    title: 'setIf conflict: a stale previous returns false and leaves the value',
    needs: ['setIf'],
    async run({ store, prefix, later }) {
      const key = `${prefix()}-k`;
      await store.set(key, 'v1', later());
      assert.equal(await store.setIf!(key, 'v2', later(), 'v0'), false);
      assert.equal(await store.get(key), 'v1');
      assert.equal(await store.setIf!(key, 'v2', later(), 'v1 '), false, 'a trailing space is a different value');
      assert.equal(await store.get(key), 'v1');
    },
  },
  {
    title: 'setIf with a previous value on a missing or expired record fails (no re-creation)',
    needs: ['setIf'],
    async run({ store, prefix, later, soon, passBeyond }) {
      const missing = `${prefix()}-missing`;
      assert.equal(await store.setIf!(missing, 'v2', later(), 'v1'), false);
      assert.equal(await store.get(missing), undefined);
      const expired = `${prefix()}-expired`;
      const expiresAt = soon();
      await store.set(expired, 'v1', expiresAt);
      await passBeyond(expiresAt);
      assert.equal(await store.setIf!(expired, 'v2', later(), 'v1'), false);
      assert.equal(await store.get(expired), undefined);
    },
  },
  {
    title: 'setIf with previous undefined creates on an absent key',
    needs: ['setIf'],
    async run({ store, prefix, later }) {
      const key = `${prefix()}-k`;
      assert.equal(await store.setIf!(key, 'created', later(), undefined), true);
      assert.equal(await store.get(key), 'created');
    },
  },
  {
    title: 'setIf with previous undefined fails on a present key',
    needs: ['setIf'],
    async run({ store, prefix, later }) {
      const key = `${prefix()}-k`;
      await store.set(key, 'existing', later());
      assert.equal(await store.setIf!(key, 'intruder', later(), undefined), false);
      assert.equal(await store.get(key), 'existing');
    },
  },
  {
    title: 'setIf with previous undefined succeeds over an expired record',
    needs: ['setIf'],
    async run({ store, prefix, later, soon, passBeyond }) {
      const key = `${prefix()}-k`;
      const expiresAt = soon();
      await store.set(key, 'old', expiresAt);
      await passBeyond(expiresAt);
      assert.equal(await store.setIf!(key, 'fresh', later(), undefined), true);
      assert.equal(await store.get(key), 'fresh');
    },
  },
];

/** The per-user index (`listByUser`, `deleteByUser`) and `deleteExpired`. */
export const userIndexCases: readonly ConformanceCase[] = [
  {
    title: "listByUser returns exactly the user's live records",
    needs: ['listByUser'],
    async run({ store, prefix, later, soon, passBeyond }) {
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
    },
  },
  {
    title: 'setIf feeds the user index',
    needs: ['setIf', 'listByUser'],
    async run({ store, prefix, later }) {
      const user = `${prefix()}-carol`;
      const key = `${prefix()}-k`;
      assert.equal(await store.setIf!(key, 'v1', later(), undefined, { userId: user }), true);
      assert.deepEqual((await store.listByUser!(user)).map((s) => s.key), [key]);
      assert.equal(await store.setIf!(key, 'v2', later(), 'v1', { userId: user }), true);
      assert.deepEqual((await store.listByUser!(user)).map((s) => s.value), ['v2']);
    },
  },
  {
    title: 'deleteByUser without exceptKeys deletes all of the user and returns the count',
    needs: ['deleteByUser', 'listByUser'],
    async run({ store, prefix, later }) {
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
    },
  },
  {
    title: 'deleteByUser with exceptKeys keeps those keys',
    needs: ['deleteByUser', 'listByUser'],
    async run({ store, prefix, later }) {
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
    },
  },
  {
    title: "a record re-set without a userId, or with another, leaves the old user's list",
    needs: ['listByUser'],
    async run({ store, prefix, later }) {
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
    },
  },
  {
    title: 'deleteExpired removes expired records and returns how many',
    needs: ['deleteExpired'],
    async run({ store, prefix, later, soon, passBeyond }) {
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
    },
  },
];

/** Concurrent compare-and-set on one key. */
export const concurrentSetIfCases: readonly ConformanceCase[] = [
  {
    title: '100 concurrent setIf on one key from the same previous: exactly one wins',
    needs: ['setIf'],
    async run({ store, prefix, later }) {
      const key = `${prefix()}-k`;
      await store.set(key, 'v0', later());
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => store.setIf!(key, `w${i}`, later(), 'v0')));
      const winners = results.flatMap((won, i) => (won ? [i] : []));
      assert.equal(winners.length, 1, `winners: ${winners.join(', ')}`);
      assert.equal(await store.get(key), `w${winners[0]!}`);
    },
  },
  {
    title: '100 concurrent setIf creating one absent key: exactly one wins',
    needs: ['setIf'],
    async run({ store, prefix, later }) {
      const key = `${prefix()}-k`;
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => store.setIf!(key, `c${i}`, later(), undefined)));
      const winners = results.flatMap((won, i) => (won ? [i] : []));
      assert.equal(winners.length, 1, `winners: ${winners.join(', ')}`);
      assert.equal(await store.get(key), `c${winners[0]!}`);
    },
  },
];
