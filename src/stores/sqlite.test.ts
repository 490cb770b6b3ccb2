import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { runScopedName } from '../../test/support/services.js';
import { isSessionError } from '../index.js';
import { FakeClock, runStoreConformance } from '../testing/index.js';
import { SqliteStore, sqliteSchema } from './sqlite.js';

const table = runScopedName('tessera_sqlite');

// In memory, with an injected clock.
const memoryDb = new Database(':memory:');
const clock = new FakeClock();
runStoreConformance('SqliteStore (:memory:, fake clock)', {
  makeStore: () => new SqliteStore(memoryDb, { table, clock }),
  clock,
  requireAll: true,
});

// In a file, with the real clock (expiry cases wait for real).
const dir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-'));
const fileDb = new Database(join(dir, 'sessions.db'));
fileDb.pragma('journal_mode = WAL');
runStoreConformance('SqliteStore (file, system clock)', {
  makeStore: () => new SqliteStore(fileDb, { table }),
  requireAll: true,
});

after(() => {
  memoryDb.close();
  fileDb.prepare(`DROP TABLE IF EXISTS "${table}"`).run();
  fileDb.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteStore specifics', () => {
  it('refuses table names outside the strict pattern', () => {
    const db = new Database(':memory:');
    for (const bad of ['', '1abc', 'a-b', 'a"b', 'a;drop', 'a b', 'x'.repeat(64), 's.t']) {
      assert.throws(() => new SqliteStore(db, { table: bad }), (e) => isSessionError(e, 'ERR_SESSION_CONFIG'), bad);
      assert.throws(() => sqliteSchema(bad), (e) => isSessionError(e, 'ERR_SESSION_CONFIG'), bad);
    }
    assert.throws(() => new SqliteStore({} as never), (e) => isSessionError(e, 'ERR_SESSION_CONFIG'));
    assert.throws(() => new SqliteStore(db, { cleanupInterval: 0 }), (e) => isSessionError(e, 'ERR_SESSION_CONFIG'));
    db.close();
  });

  it('with createSchema false, calls fail until migrate() (or the exported SQL) creates the table', async () => {
    const db = new Database(':memory:');
    const store = new SqliteStore(db, { table: 'later_sessions', createSchema: false });
    assert.throws(() => store.get('k'), /no such table/, 'get answers synchronously, so it throws');
    await store.migrate();
    await store.migrate();
    await store.set('k', 'v', Date.now() + 60_000);
    assert.equal(await store.get('k'), 'v');

    const other = new Database(':memory:');
    for (const sql of sqliteSchema('exported').split(';').filter((s) => s.trim())) other.prepare(sql).run();
    const viaSql = new SqliteStore(other, { table: 'exported', createSchema: false });
    await viaSql.set('k', 'v', Date.now() + 60_000);
    assert.equal(await viaSql.get('k'), 'v');
    const names = (other.prepare("SELECT name FROM sqlite_master WHERE tbl_name = 'exported' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    assert.deepEqual(names, ['exported', 'exported_expires_at_idx', 'exported_user_id_idx', 'sqlite_autoindex_exported_1']);
    db.close();
    other.close();
  });

  it('get answers synchronously: the value itself, not a promise', async () => {
    const db = new Database(':memory:');
    const clock = new FakeClock();
    const store = new SqliteStore(db, { clock });
    assert.equal(store.get('k'), undefined, 'missing');
    await store.set('k', 'v', clock.now() + 60_000);
    assert.equal(store.get('k'), 'v');
    clock.advance(60);
    assert.equal(store.get('k'), undefined, 'expired');
    db.close();
  });

  it('prepares its statements once', async () => {
    const db = new Database(':memory:');
    let prepared = 0;
    const counting = { prepare: (sql: string) => (prepared++, db.prepare(sql)) };
    const store = new SqliteStore(counting);
    await store.set('k', 'v', Date.now() + 60_000);
    const afterFirst = prepared;
    for (let i = 0; i < 20; i++) {
      await store.get('k');
      await store.setIf('k', `v${i + 1}`, Date.now() + 60_000, i === 0 ? 'v' : `v${i}`);
    }
    assert.equal(prepared, afterFirst);
    db.close();
  });

  it('cleanupInterval deletes expired rows on an unref\'d timer that close() stops', async () => {
    const db = new Database(':memory:');
    const store = new SqliteStore(db, { cleanupInterval: 0.05 });
    await store.set('gone', 'v', Date.now() + 20);
    await store.set('kept', 'v', Date.now() + 60_000);
    const count = () => (db.prepare('SELECT count(*) AS n FROM tessera_sessions').get() as { n: number }).n;
    const deadline = Date.now() + 3000;
    while (count() > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(count(), 1);
    await store.close();
    await store.set('gone2', 'v', Date.now() - 1);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(count(), 2, 'no cleanup after close()');
    db.close();
  });
});
