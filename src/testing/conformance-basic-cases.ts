// Conformance cases every store must pass: reads, writes, expiry, deletes, unusual keys and
// values, big values, concurrent writes, close.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConformanceCase } from './conformance-case.js';
import { isThenable } from './conformance-case.js';

const POLL_DEADLINE_MS = 3_000;
const POLL_STEP_MS = 20;

/** Reads, writes, expiry and deletes. */
export const readWriteCases: readonly ConformanceCase[] = [
  {
    title: 'get of a missing key is undefined',
    async run({ store, prefix }) {
      assert.equal(await store.get(`${prefix()}-missing`), undefined);
    },
  },
  {
    title: 'set then get returns the value',
    async run({ store, prefix, later }) {
      const key = `${prefix()}-k`;
      await store.set(key, 'value-1', later());
      assert.equal(await store.get(key), 'value-1');
    },
  },
  {
    title: 'get answers with the value itself or with a promise of it (callers await either)',
    async run({ store, prefix, later, soon, clock }) {
      const key = `${prefix()}-k`;
      const read = async (expected: string | undefined, label: string): Promise<void> => {
        const answer: unknown = store.get(key);
        if (isThenable(answer)) {
          assert.equal(await answer, expected, `${label} (answered with a promise)`);
          return;
        }
        assert.ok(answer === undefined || typeof answer === 'string', `${label}: a synchronous answer is a string or undefined; got ${typeof answer}`);
        assert.equal(answer, expected, `${label} (answered synchronously)`);
      };
      await read(undefined, 'missing');
      await store.set(key, 'value-1', later());
      await read('value-1', 'written');
      await store.delete(key);
      await read(undefined, 'deleted');
      if (clock) {
        const expiresAt = soon();
        await store.set(key, 'short-lived', expiresAt);
        clock.set(expiresAt + 1);
        await read(undefined, 'expired');
      }
    },
  },
  {
    title: 'set overwrites',
    async run({ store, prefix, later }) {
      const key = `${prefix()}-k`;
      await store.set(key, 'value-1', later());
      await store.set(key, 'value-2', later());
      assert.equal(await store.get(key), 'value-2');
    },
  },
  {
    title: 'expiry is honoured at read: never returned after expiresAt',
    async run({ store, prefix, soon, clock }) {
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
    },
  },
  {
    title: 'set with an expiresAt already past is not readable',
    async run({ store, prefix, now, later }) {
      const key = `${prefix()}-k`;
      await store.set(key, 'stale', now() - 1000);
      assert.equal(await store.get(key), undefined);
      const live = `${prefix()}-live`;
      await store.set(live, 'live', later());
      await store.set(live, 'stale', now() - 1000);
      assert.equal(await store.get(live), undefined, 'overwriting with a past expiry removes the live record');
    },
  },
  {
    title: 'delete is idempotent: twice, and on a missing key',
    async run({ store, prefix, later }) {
      const key = `${prefix()}-k`;
      await store.set(key, 'v', later());
      await store.delete(key);
      assert.equal(await store.get(key), undefined);
      await store.delete(key);
      await store.delete(`${prefix()}-never-written`);
      assert.equal(await store.get(key), undefined);
    },
  },
];

/** Unusual keys and values, big values, concurrent writes. */
export const robustnessCases: readonly ConformanceCase[] = [
  {
    title: 'keys with unusual characters round-trip and do not collide',
    async run({ store, prefix, later }) {
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
    },
  },
  {
    title: 'values with unicode, quotes and whitespace round-trip exactly',
    async run({ store, prefix, later }) {
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
    },
  },
  {
    title: 'a 1 MB value round-trips',
    async run({ store, prefix, later }) {
      const value = `${randomBytes(786_432).toString('base64')}é🔑`;
      assert.ok(value.length > 1_048_576);
      const key = `${prefix()}-big`;
      await store.set(key, value, later());
      const got = await store.get(key);
      assert.ok(got === value, `1 MB value differs: got ${got === undefined ? 'undefined' : `${got.length} chars`}`);
    },
  },
  {
    title: '100 concurrent sets to distinct keys are all readable',
    async run({ store, prefix, later }) {
      const keys = Array.from({ length: 100 }, (_, i) => `${prefix()}-${i}`);
      await Promise.all(keys.map((key, i) => store.set(key, `v${i}`, later())));
      const got = await Promise.all(keys.map((key) => store.get(key)));
      assert.deepEqual(got, keys.map((_, i) => `v${i}`));
    },
  },
];

/** The last case: `close()`. */
export const closeCases: readonly ConformanceCase[] = [
  {
    title: 'close() resolves, twice, and leaves the client usable by another store',
    async run({ makeStore, prefix, later }) {
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
    },
  },
];
