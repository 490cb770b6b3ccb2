import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import mysql from 'mysql2/promise';
import { mysqlUrl, requireService, runScopedName, describeUnlessSkipped } from '../../test/support/services.js';
import { isSessionError } from '../index.js';
import { FakeClock, runStoreConformance } from '../testing/index.js';
import type { MysqlQueryable } from './mysql.js';
import { MYSQL_MAX_KEY_BYTES, MysqlStore, mysqlSchema } from './mysql.js';

const pool = mysql.createPool({ uri: mysqlUrl(), connectionLimit: 10, connectTimeout: 2000 });
const skip = await requireService('MySQL/MariaDB', () => pool.query('SELECT 1'));
const table = runScopedName('tessera_my');
const realTimeTable = `${table}_rt`;

after(async () => {
  if (skip === undefined) await pool.query(`DROP TABLE IF EXISTS \`${table}\`, \`${realTimeTable}\``);
  await pool.end();
});

const clock = new FakeClock();
runStoreConformance('MysqlStore (fake clock)', {
  makeStore: () => new MysqlStore(pool, { table, clock }),
  clock,
  requireAll: true,
  skip,
});

runStoreConformance('MysqlStore (system clock)', {
  makeStore: () => new MysqlStore(pool, { table: realTimeTable }),
  requireAll: true,
  skip,
});

describeUnlessSkipped('MysqlStore specifics', skip, () => {
  it('refuses bad table names', () => {
    for (const bad of ['', '1abc', 'a-b', 'a`b', 'a;drop', 'a b', 'x'.repeat(64), 'db.t']) {
      assert.throws(() => new MysqlStore(pool, { table: bad }), (e) => isSessionError(e, 'ERR_SESSION_CONFIG'), bad);
      assert.throws(() => mysqlSchema(bad), (e) => isSessionError(e, 'ERR_SESSION_CONFIG'), bad);
    }
    assert.throws(() => new MysqlStore({} as never), (e) => isSessionError(e, 'ERR_SESSION_CONFIG'));
  });

  it('creates the schema once for concurrent first calls, then one statement per call', async () => {
    const name = `${table}_lazy`;
    const texts: string[] = [];
    const db: MysqlQueryable = {
      query: (sql, values) => (texts.push(sql), pool.query(sql, values)),
    };
    const store = new MysqlStore(db, { table: name });
    try {
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.get(`k${i}`)));
      assert.equal(texts.filter((t) => t.includes('CREATE TABLE')).length, 1);
      assert.equal(texts.length, 21);
      await store.set('k', 'v', Date.now() + 60_000);
      await store.setIf('k', 'v2', Date.now() + 60_000, 'v');
      await store.setIf('new', 'v', Date.now() + 60_000, undefined);
      assert.equal(await store.get('k'), 'v2');
      assert.equal(texts.length, 25, 'one round trip per read and per write');
    } finally {
      await pool.query(`DROP TABLE IF EXISTS \`${name}\``);
    }
  });

  it('with createSchema false, needs migrate() (or the exported SQL)', async () => {
    const name = `${table}_mig`;
    const store = new MysqlStore(pool, { table: name, createSchema: false });
    try {
      await assert.rejects(store.get('k'), /doesn't exist/);
      await store.migrate();
      await store.migrate();
      await store.set('k', 'v', Date.now() + 60_000);
      await pool.query(`DROP TABLE \`${name}\``);
      await pool.query(mysqlSchema(name));
      assert.equal(await store.get('k'), undefined);
      await store.set('k', 'v', Date.now() + 60_000);
      assert.equal(await store.get('k'), 'v');
    } finally {
      await pool.query(`DROP TABLE IF EXISTS \`${name}\``);
    }
  });

  it('setIf compares values byte for byte, whatever the column collation pads', async () => {
    const store = new MysqlStore(pool, { table });
    await store.set('pad-k', 'abc', Date.now() + 60_000);
    assert.equal(await store.setIf('pad-k', 'x', Date.now() + 60_000, 'abc '), false);
    assert.equal(await store.setIf('pad-k', 'x', Date.now() + 60_000, 'ABC'), false);
    assert.equal(await store.get('pad-k'), 'abc');
    await store.delete('pad-k');
  });

  it('setIf reports a write whose values equal the stored ones, with or without FOUND_ROWS', async () => {
    const noFoundRows = mysql.createPool({ uri: mysqlUrl(), connectionLimit: 2, flags: ['-FOUND_ROWS'] });
    try {
      for (const db of [pool, noFoundRows]) {
        const store = new MysqlStore(db, { table });
        const expiresAt = Date.now() + 60_000;
        await store.set('same-k', 'v', expiresAt);
        assert.equal(await store.setIf('same-k', 'v', expiresAt, 'v'), true);
        await store.delete('same-k');
      }
    } finally {
      await noFoundRows.end();
    }
  });

  it(`refuses to write keys or user IDs over ${MYSQL_MAX_KEY_BYTES} bytes, and finds none`, async () => {
    const store = new MysqlStore(pool, { table });
    const long = 'k'.repeat(MYSQL_MAX_KEY_BYTES + 1);
    await assert.rejects(store.set(long, 'v', Date.now() + 60_000), (e) => isSessionError(e, 'ERR_SESSION_STORE'));
    await assert.rejects(store.set('k', 'v', Date.now() + 60_000, { userId: long }), (e) => isSessionError(e, 'ERR_SESSION_STORE'));
    assert.equal(await store.get(long), undefined);
    assert.deepEqual(await store.listByUser(long), []);
    const longest = 'é'.repeat(MYSQL_MAX_KEY_BYTES / 2);
    await store.set(longest, 'v', Date.now() + 60_000);
    assert.equal(await store.get(longest), 'v');
    await store.delete(longest);
  });
});
