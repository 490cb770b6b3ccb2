// A lost PostgreSQL connection: the store recovers through the pool, never hangs, never crashes the process.
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { pgUrl, requireService, runScopedName, describeUnlessSkipped } from '../../test/support/services.js';
import { PostgresStore } from './postgres.js';

const table = runScopedName('tessera_pgfail');
const applicationName = runScopedName('tessera_failure');
const admin = new pg.Client({ connectionString: pgUrl(), connectionTimeoutMillis: 2000 });
admin.on('error', () => undefined);
const skip = await requireService('PostgreSQL', () => admin.connect());

after(async () => {
  if (skip === undefined) await admin.query(`DROP TABLE IF EXISTS "${table}"`);
  await admin.end().catch(() => undefined);
});

/** Terminates every server connection of the pool under test; returns how many. */
async function terminatePoolConnections(): Promise<number> {
  const { rows } = await admin.query(
    'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
    [applicationName],
  );
  return rows.filter((r: { ok: boolean }) => r.ok).length;
}

/** Runs `call` until it succeeds: at most `attempts` times and `deadlineMs` in all. */
async function eventually<T>(call: () => Promise<T>, attempts = 10, deadlineMs = 3000): Promise<T> {
  const end = Date.now() + deadlineMs;
  let last: unknown;
  for (let i = 0; i < attempts && Date.now() < end; i++) {
    try {
      return await call();
    } catch (error) {
      last = error;
      await sleep(50);
    }
  }
  throw last;
}

describeUnlessSkipped('PostgresStore after pg_terminate_backend', skip, () => {
  it('a pool without an error listener does not crash the process; calls fail fast or succeed, then succeed again', async () => {
    // No pool.on('error'): the store's guard is what stands between pg's idle-client error and a crash.
    const pool = new pg.Pool({ connectionString: pgUrl(), application_name: applicationName, max: 4, connectionTimeoutMillis: 2000 });
    const seen: unknown[] = [];
    const store = new PostgresStore(pool, { table, onError: (e) => seen.push(e) });
    assert.equal(pool.listenerCount('error'), 1, 'the store guarded the unguarded pool');
    try {
      const expiresAt = Date.now() + 60_000;
      await store.set('k', 'before', expiresAt, { userId: 'u' });
      // Open several connections, then leave them idle in the pool.
      await Promise.all(Array.from({ length: 4 }, () => store.get('k')));
      assert.ok(pool.idleCount >= 1);

      assert.ok((await terminatePoolConnections()) >= 1);
      // pg reports each idle client's death as a pool 'error' event; wait (bounded) to see one.
      for (let i = 0; i < 100 && seen.length === 0; i++) await sleep(20);
      assert.ok(seen.length >= 1, 'the pool emitted error and the guard received it');
      assert.match(String((seen[0] as Error).message), /terminat/i);

      // The next call: either the pool reconnects and it succeeds, or it fails, quickly.
      const startedAt = Date.now();
      const first = await store.get('k').then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      assert.ok(Date.now() - startedAt < 2500, `first call after the loss took ${Date.now() - startedAt} ms`);
      if ('value' in first) assert.equal(first.value, 'before');

      // Later calls succeed, on the same store object.
      assert.equal(await eventually(() => store.get('k')), 'before');
      await store.set('k', 'after', expiresAt, { userId: 'u' });
      assert.equal(await store.get('k'), 'after');
      assert.deepEqual((await store.listByUser('u')).map((s) => s.value), ['after']);

      // Lost again, this time while a statement is running on that connection.
      const slow = pool.query('SELECT pg_sleep(5)').then(
        () => 'finished',
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      await sleep(100);
      assert.ok((await terminatePoolConnections()) >= 1);
      const outcome = await slow;
      assert.match(outcome, /terminat|Connection/i, 'the running statement failed instead of hanging');
      assert.equal(await eventually(() => store.get('k')), 'after');
    } finally {
      await store.close();
      assert.equal(pool.listenerCount('error'), 0, 'close() removed the guard it added');
      pool.on('error', () => undefined);
      await pool.end();
    }
  });

  it('with the app\'s own pool error listener, the store adds none and the app sees the error', async () => {
    const pool = new pg.Pool({ connectionString: pgUrl(), application_name: applicationName, max: 2, connectionTimeoutMillis: 2000 });
    const appSaw: Error[] = [];
    pool.on('error', (e) => appSaw.push(e));
    const store = new PostgresStore(pool, { table });
    assert.equal(pool.listenerCount('error'), 1);
    try {
      await store.set('k2', 'v', Date.now() + 60_000);
      assert.equal(await store.get('k2'), 'v');
      assert.ok((await terminatePoolConnections()) >= 1);
      for (let i = 0; i < 100 && appSaw.length === 0; i++) await sleep(20);
      assert.ok(appSaw.length >= 1);
      assert.equal(await eventually(() => store.get('k2')), 'v');
    } finally {
      await store.close();
      await pool.end();
    }
  });
});
