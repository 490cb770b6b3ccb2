import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import pg from 'pg';
import { pgUrl, requireService, runScopedName, describeUnlessSkipped } from '../../test/support/services.js';
import { isSessionError } from '../index.js';
import { FakeClock, runStoreConformance } from '../testing/index.js';
import type { PgQueryable } from './postgres.js';
import { PostgresStore, postgresSchema } from './postgres.js';

const pool = new pg.Pool({ connectionString: pgUrl(), max: 10, connectionTimeoutMillis: 2000 });
pool.on('error', () => undefined); // the app's duty (see docs/stores.md); the failure test covers the store's guard
const skip = await requireService('PostgreSQL', () => pool.query('SELECT 1'));
const table = runScopedName('tessera_pg');
const schema = runScopedName('tessera_pg_schema');

after(async () => {
  if (skip === undefined) {
    await pool.query(`DROP TABLE IF EXISTS "${table}"`);
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  }
  await pool.end();
});

const clock = new FakeClock();
runStoreConformance('PostgresStore (fake clock)', {
  makeStore: () => new PostgresStore(pool, { table, clock }),
  clock,
  requireAll: true,
  skip,
});

describeUnlessSkipped('PostgresStore in its own schema', skip, () => {
  before(async () => {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  });
  runStoreConformance('PostgresStore (schema-qualified table, system clock)', {
    makeStore: () => new PostgresStore(pool, { table: `${schema}.Sessions` }),
    requireAll: true,
  });
});

/** Counts the statements sent, and can fail the first ones. */
function counting(failFirst = 0): PgQueryable & { texts: string[] } {
  const texts: string[] = [];
  let failures = failFirst;
  return {
    texts,
    async query(text: string, values?: unknown[]) {
      texts.push(text);
      if (failures > 0) {
        failures--;
        throw new Error('injected failure');
      }
      return pool.query(text, values);
    },
  };
}

describeUnlessSkipped('PostgresStore specifics', skip, () => {
  it('refuses bad table names', () => {
    for (const bad of ['', '1abc', 'a-b', 'a"b', 'a;drop', 'a b', 'x'.repeat(64), 'a.b.c', '.a', 'a.', 'public."x"']) {
      assert.throws(() => new PostgresStore(pool, { table: bad }), (e) => isSessionError(e, 'ERR_SESSION_CONFIG'), bad);
      assert.throws(() => postgresSchema(bad), (e) => isSessionError(e, 'ERR_SESSION_CONFIG'), bad);
    }
    assert.throws(() => new PostgresStore({} as never), (e) => isSessionError(e, 'ERR_SESSION_CONFIG'));
  });

  it('creates the schema once for concurrent first calls, then one statement per call', async () => {
    const name = `${table}_lazy`;
    const db = counting();
    const store = new PostgresStore(db, { table: name });
    try {
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.get(`k${i}`)));
      assert.equal(db.texts.filter((t) => t.includes('CREATE TABLE')).length, 1);
      assert.equal(db.texts.length, 21);
      await store.set('k', 'v', Date.now() + 60_000);
      await store.setIf('k', 'v2', Date.now() + 60_000, 'v');
      assert.equal(await store.get('k'), 'v2');
      assert.equal(db.texts.length, 24, 'one round trip per read and per write');
    } finally {
      await pool.query(`DROP TABLE IF EXISTS "${name}"`);
    }
  });

  it('retries schema creation after a failure', async () => {
    const name = `${table}_retry`;
    const db = counting(1);
    const store = new PostgresStore(db, { table: name });
    try {
      await assert.rejects(store.get('k'), /injected failure/);
      assert.equal(await store.get('k'), undefined);
      await store.set('k', 'v', Date.now() + 60_000);
      assert.equal(await store.get('k'), 'v');
    } finally {
      await pool.query(`DROP TABLE IF EXISTS "${name}"`);
    }
  });

  it('with createSchema false, needs migrate() (or the exported SQL); long names get distinct index names', async () => {
    const name = `${table}_${'m'.repeat(62 - table.length)}`;
    assert.equal(name.length, 63);
    const store = new PostgresStore(pool, { table: name, createSchema: false });
    try {
      await assert.rejects(store.get('k'), /does not exist/);
      await store.migrate();
      await store.migrate();
      await store.set('k', 'v', Date.now() + 60_000, { userId: 'u' });
      assert.deepEqual((await store.listByUser('u')).map((s) => s.key), ['k']);
      const { rows } = await pool.query('SELECT indexname FROM pg_indexes WHERE tablename = $1', [name]);
      assert.equal(rows.length, 3, JSON.stringify(rows));
      await pool.query(`DROP TABLE "${name}"`);
      await pool.query(postgresSchema(name));
      assert.equal(await store.get('k'), undefined);
    } finally {
      await pool.query(`DROP TABLE IF EXISTS "${name}"`);
    }
  });

  it('stores expires_at as epoch ms in a bigint column and user_id in an indexed column', async () => {
    const store = new PostgresStore(pool, { table });
    const expiresAt = Date.now() + 60_000;
    await store.set('shape-k', 'v', expiresAt, { userId: 'shape-u' });
    const { rows } = await pool.query(`SELECT expires_at, user_id FROM "${table}" WHERE key = 'shape-k'`);
    assert.deepEqual(rows, [{ expires_at: String(expiresAt), user_id: 'shape-u' }]);
    const { rows: types } = await pool.query(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position",
      [table],
    );
    assert.deepEqual(types.map((r: { column_name: string; data_type: string }) => `${r.column_name} ${r.data_type}`), [
      'key text', 'value text', 'expires_at bigint', 'user_id text',
    ]);
    await store.delete('shape-k');
  });

  it('leaves a pool that has an error listener alone', async () => {
    const before = pool.listenerCount('error');
    const store = new PostgresStore(pool, { table });
    assert.equal(pool.listenerCount('error'), before);
    await store.close();
    assert.equal(pool.listenerCount('error'), before);
  });
});
