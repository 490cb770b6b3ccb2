// The connect adapter over the real connect-redis 9 (node-redis) and connect-pg-simple 10
// (pg), against the real servers, plus what the adapter promises about failures.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createConnectPgTable } from '../../test/support/connect-pg-table.js';
import { createClient } from 'redis';
import { createSessionManager, isSessionError } from '../index.js';
import type { SessionStore } from '../index.js';
import { runStoreConformance } from '../testing/index.js';
import { pgUrl, redisUrl, runScopedName, describeUnlessSkipped } from '../../test/support/services.js';
import { requirePostgres, requireRedis } from '../../test/support/service-probes.js';
import type { ConnectCallback, ConnectStoreLike } from './connect.js';
import { fromConnectStore } from './connect.js';

// Both packages are CommonJS at heart and their types lean on @types/express-session, which is
// not installed: load them untyped and use them through ConnectStoreLike.
const require = createRequire(import.meta.url);
type ConnectStoreInstance = ConnectStoreLike & { close?(): Promise<void> };
const { RedisStore: ConnectRedisStore } = require('connect-redis') as { RedisStore: new (options: object) => ConnectStoreInstance };
const expressSession = require('express-session') as unknown;
const connectPgSimple = require('connect-pg-simple') as (session: unknown) => new (options: object) => ConnectStoreInstance;
const PgSessionStore = connectPgSimple(expressSession);

const SECRET = 'connect-test-secret-0123456789-abcdefgh';
const redisPrefix = `tessera_test:${runScopedName('connect')}:`;
const table = runScopedName('connect_sessions');

const redisSkip = await requireRedis();
const pgSkip = await requirePostgres();

let redis: ReturnType<typeof createClient>;
let connectRedis: ConnectStoreInstance;
let pool: pg.Pool;
let connectPg: ConnectStoreInstance;

before(async () => {
  if (!redisSkip) {
    redis = createClient({ url: redisUrl(), disableOfflineQueue: true });
    redis.on('error', () => {});
    await redis.connect();
    connectRedis = new ConnectRedisStore({ client: redis, prefix: redisPrefix });
  }
  if (!pgSkip) {
    pool = new pg.Pool({ connectionString: pgUrl(), max: 4 });
    await createConnectPgTable(pool, table);
    connectPg = new PgSessionStore({ pool, tableName: table, pruneSessionInterval: false });
  }
});

after(async () => {
  if (!redisSkip) {
    for await (const keys of redis.scanIterator({ MATCH: `${redisPrefix}*`, COUNT: 1000 })) {
      if (keys.length > 0) await redis.del(keys);
    }
    await redis.quit();
  }
  if (!pgSkip) {
    await connectPg.close?.();
    await pool.query(`DROP TABLE IF EXISTS "${table}"`);
    await pool.end();
  }
});

runStoreConformance('fromConnectStore(connect-redis)', { makeStore: () => fromConnectStore(connectRedis), ...(redisSkip ? { skip: redisSkip } : {}) });
runStoreConformance('fromConnectStore(connect-pg-simple)', { makeStore: () => fromConnectStore(connectPg), ...(pgSkip ? { skip: pgSkip } : {}) });

const later = (): number => Date.now() + 3_600_000;

/** The Cookie header that answers a Set-Cookie value. */
const cookieOf = (setCookie: string[]): string => {
  assert.equal(setCookie.length, 1);
  return setCookie[0]!.split(';')[0]!;
};

describeUnlessSkipped('fromConnectStore with connect-redis', redisSkip, () => {
  it('stores an express-session-shaped object whose cookie.expires sets the Redis TTL', async () => {
    const store = fromConnectStore(connectRedis);
    const expiresAt = Date.now() + 90_000;
    await store.set('shape', 'the-record', expiresAt);
    const raw = JSON.parse((await redis.get(`${redisPrefix}shape`))!) as { cookie: { expires: string; originalMaxAge: number }; tessera: string };
    assert.equal(raw.tessera, 'the-record');
    assert.equal(Date.parse(raw.cookie.expires), expiresAt);
    assert.ok(raw.cookie.originalMaxAge > 85_000 && raw.cookie.originalMaxAge <= 90_000);
    const ttl = await redis.ttl(`${redisPrefix}shape`);
    assert.ok(ttl >= 85 && ttl <= 90, `TTL ${ttl} s`);
  });

  it('a session written by express-session itself, or garbage, reads as undefined', async () => {
    const store = fromConnectStore(connectRedis);
    const expires = new Date(later()).toISOString();
    await redis.set(`${redisPrefix}foreign`, JSON.stringify({ cookie: { expires, originalMaxAge: 60_000 }, user: 'x' }), { EX: 60 });
    assert.equal(await store.get('foreign'), undefined);
    await redis.set(`${redisPrefix}garbage`, JSON.stringify({ cookie: { expires: 'not a date' }, tessera: 'v' }), { EX: 60 });
    assert.equal(await store.get('garbage'), undefined);
  });

  it('gives no compare-and-set and no user index; the manager falls back and says so', async () => {
    const store = fromConnectStore(connectRedis);
    for (const method of ['setIf', 'listByUser', 'deleteByUser', 'deleteExpired'] as const) assert.equal(store[method], undefined, method);
    const manager = createSessionManager({ secrets: SECRET, store });
    await assert.rejects(manager.listSessions('u1'), (error) => isSessionError(error, 'ERR_SESSION_UNSUPPORTED'));
    await assert.rejects(manager.revokeSessions('u1'), (error) => isSessionError(error, 'ERR_SESSION_UNSUPPORTED'));
  });

  it('carries a manager session across requests, last write wins', async () => {
    const manager = createSessionManager<{ views: number; note: string }>({ secrets: SECRET, store: fromConnectStore(connectRedis) });
    const first = await manager.load(undefined);
    first.set('views', 1);
    const cookie = cookieOf((await manager.commit(first)).setCookie);
    const a = await manager.load(cookie);
    const b = await manager.load(cookie);
    assert.equal(a.get('views'), 1);
    a.set('views', 2);
    b.set('note', 'from b');
    await manager.commit(a);
    await manager.commit(b);
    const c = await manager.load(cookie);
    // Without setIf the second commit overwrites the first whole: a's change is lost.
    assert.equal(c.get('note'), 'from b');
    assert.equal(c.get('views'), 1);
    c.destroy();
    await manager.commit(c);
    assert.equal((await manager.load(cookie)).isNew, true);
  });
});

describeUnlessSkipped('fromConnectStore with connect-pg-simple', pgSkip, () => {
  it('stores the record as JSON with the expire column from cookie.expires', async () => {
    const store = fromConnectStore(connectPg);
    const expiresAt = Date.now() + 90_000;
    await store.set('pg-shape', 'the-record', expiresAt);
    const { rows } = await pool.query<{ sess: { tessera: string; cookie: { expires: string } }; expire: Date }>(`SELECT sess, expire FROM "${table}" WHERE sid = $1`, ['pg-shape']);
    assert.equal(rows[0]!.sess.tessera, 'the-record');
    assert.equal(Date.parse(rows[0]!.sess.cookie.expires), expiresAt);
    assert.equal(rows[0]!.expire.getTime(), Math.ceil(expiresAt / 1000) * 1000);
  });

  it('a manager session round-trips through PostgreSQL', async () => {
    const manager = createSessionManager<{ cart: string[] }>({ secrets: SECRET, store: fromConnectStore(connectPg) });
    const session = await manager.load(undefined);
    session.set('cart', ['apple', 'pear']);
    const cookie = cookieOf((await manager.commit(session)).setCookie);
    assert.deepEqual((await manager.load(cookie)).get('cart'), ['apple', 'pear']);
  });
});

/** An express-session store whose callbacks behave as told. */
function fakeStore(behaviour: 'hang' | 'callback-error' | 'rejected-promise' | 'throw'): ConnectStoreLike {
  const act = (callback: ConnectCallback): unknown => {
    if (behaviour === 'callback-error') return setImmediate(() => callback(new Error('backend down')));
    if (behaviour === 'rejected-promise') return Promise.reject(new Error('backend down'));
    if (behaviour === 'throw') throw new Error('backend down');
    return undefined; // hang: the callback never fires
  };
  return { get: (_sid, callback) => act(callback), set: (_sid, _session, callback) => act(callback), destroy: (_sid, callback) => act(callback) };
}

describe('fromConnectStore failures', () => {
  /** A signed cookie for a session that exists, made with a working store and the same secret. */
  async function validCookie(): Promise<string> {
    const { MemoryStore } = await import('../index.js');
    const manager = createSessionManager<{ n: number }>({ secrets: SECRET, store: new MemoryStore() });
    const session = await manager.load(undefined);
    session.set('n', 1);
    return cookieOf((await manager.commit(session)).setCookie);
  }

  it('refuses an object that is not an express-session store', () => {
    assert.throws(() => fromConnectStore({} as ConnectStoreLike), (error) => isSessionError(error, 'ERR_SESSION_CONFIG'));
    assert.throws(() => fromConnectStore({ get() {}, set() {} } as unknown as ConnectStoreLike), /destroy/);
  });

  it('callbacks that never fire: the manager gives ERR_SESSION_STORE after storeTimeout, no hang', async () => {
    const cookie = await validCookie();
    const manager = createSessionManager<{ n: number }>({ secrets: SECRET, store: fromConnectStore(fakeStore('hang')), storeTimeout: 0.3 });
    let started = Date.now();
    await assert.rejects(manager.load(cookie), (error) => isSessionError(error, 'ERR_SESSION_STORE') && /timed out/.test(error.message));
    // Bounds with room for a loaded machine: what they catch is a hang.
    assert.ok(Date.now() - started < 2_000, `load took ${Date.now() - started} ms`);
    const session = await manager.load(undefined);
    session.set('n', 1);
    started = Date.now();
    await assert.rejects(manager.commit(session), (error) => isSessionError(error, 'ERR_SESSION_STORE'));
    assert.ok(Date.now() - started < 2_000, `commit took ${Date.now() - started} ms`);
  });

  it('the default storeTimeout (1 s) bounds a hanging store too', async () => {
    const cookie = await validCookie();
    const manager = createSessionManager({ secrets: SECRET, store: fromConnectStore(fakeStore('hang')) });
    const started = Date.now();
    await assert.rejects(manager.load(cookie), (error) => isSessionError(error, 'ERR_SESSION_STORE'));
    const took = Date.now() - started;
    // 1 s, not none and not the next candidates (2 s, 5 s), with room for a loaded machine.
    assert.ok(took >= 900 && took < 1_900, `load took ${took} ms`);
  });

  for (const behaviour of ['callback-error', 'rejected-promise', 'throw'] as const) {
    it(`a store that fails by ${behaviour} gives ERR_SESSION_STORE with the cause`, async () => {
      const store: SessionStore = fromConnectStore(fakeStore(behaviour));
      await assert.rejects(async () => store.get('k'), /backend down/);
      await assert.rejects(store.set('k', 'v', later()), /backend down/);
      await assert.rejects(store.delete('k'), /backend down/);
      const manager = createSessionManager({ secrets: SECRET, store });
      await assert.rejects(manager.load(await validCookie()), (error) => isSessionError(error, 'ERR_SESSION_STORE') && (error.cause as Error).message === 'backend down');
    });
  }
});
