// RedisStore against the real Redis (TESSERA_TEST_REDIS_URL), with ioredis and with node-redis.
import assert from 'node:assert/strict';
import { after, afterEach, before, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { isSessionError } from '../index.js';
import type { SessionStore } from '../index.js';
import { runStoreConformance } from '../testing/index.js';
import { redisUrl, requireService, runScopedName, describeUnlessSkipped } from '../../test/support/services.js';
import { storeView } from '../../test/support/store-view.js';
import type { RedisCommandClient } from './redis.js';
import { RedisStore, fromIoredis, fromNodeRedis } from './redis.js';

type NodeRedis = ReturnType<typeof createClient>;

const url = redisUrl();
const skip = await requireService('Redis', async () => {
  const probe = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
  } finally {
    probe.disconnect();
  }
});

const base = `tessera_test:${runScopedName('redis')}`;
const ioPrefix = `${base}:io:`;
const nodePrefix = `${base}:node:`;
let io: Redis;
let node: NodeRedis;

before(async () => {
  if (skip) return;
  io = new Redis(url, { enableOfflineQueue: true, maxRetriesPerRequest: 1 });
  node = createClient({ url, disableOfflineQueue: true });
  node.on('error', () => {});
  await node.connect();
  await io.ping();
});

after(async () => {
  if (skip) return;
  // Bounded cleanup of this run's keys only.
  for await (const keys of node.scanIterator({ MATCH: `${base}:*`, COUNT: 1000 })) {
    if (keys.length > 0) await node.del(keys);
  }
  io.disconnect();
  await node.quit();
});

/** A client that records every command it sends. */
function recording(client: RedisCommandClient): RedisCommandClient & { commands: string[] } {
  const commands: string[] = [];
  return { commands, sendCommand: (args) => (commands.push(args[0]!), client.sendCommand(args)) };
}

/**
 * The store minus deleteExpired. The suite's deleteExpired case expects a sweep to count the
 * expired records, but Redis drops them itself at their PXAT, so RedisStore.deleteExpired()
 * always returns 0 (tested below). That one case is skipped, visibly; every other optional
 * method is present, which the check below asserts since requireAll cannot be used.
 */
function nativeExpiryView(store: RedisStore): SessionStore {
  return storeView(store, ['deleteExpired']);
}

runStoreConformance('RedisStore via ioredis (native TTL, so deleteExpired is a no-op)', { makeStore: () => nativeExpiryView(new RedisStore({ client: fromIoredis(io), prefix: ioPrefix })), ...(skip ? { skip } : {}) });
runStoreConformance('RedisStore via node-redis (native TTL, so deleteExpired is a no-op)', { makeStore: () => nativeExpiryView(new RedisStore({ client: fromNodeRedis(node), prefix: nodePrefix })), ...(skip ? { skip } : {}) });

describeUnlessSkipped('RedisStore specifics', skip, () => {
  const prefix = `${base}:spec:`;
  const later = (): number => Date.now() + 3_600_000;
  // Each adapter adds an error listener to the shared client until released; the stores these
  // cases make are not closed (and some constructors throw), so release every adapter after its case.
  const adapters: RedisCommandClient[] = [];
  const tracked = (adapter: RedisCommandClient): RedisCommandClient => (adapters.push(adapter), adapter);
  afterEach(() => {
    for (const adapter of adapters.splice(0)) adapter.release?.();
  });

  it('refuses a bad prefix or a missing client with ERR_SESSION_CONFIG', () => {
    for (const bad of ['', 'has space:', 'tab\t', 'new\nline', 'nul\u0000', 'x'.repeat(129)]) {
      assert.throws(() => new RedisStore({ client: tracked(fromNodeRedis(node)), prefix: bad }), (error) => isSessionError(error, 'ERR_SESSION_CONFIG'), JSON.stringify(bad));
    }
    assert.throws(() => new RedisStore({ client: io as unknown as RedisCommandClient }), (error) => isSessionError(error, 'ERR_SESSION_CONFIG'));
    assert.equal(new RedisStore({ client: tracked(fromNodeRedis(node)) }).prefix, 'tessera:');
  });

  it('has every optional method of the contract (what requireAll would check)', () => {
    const store: SessionStore = new RedisStore({ client: tracked(fromNodeRedis(node)), prefix });
    for (const method of ['setIf', 'listByUser', 'deleteByUser', 'deleteExpired', 'close'] as const) {
      assert.equal(typeof store[method], 'function', method);
    }
  });

  it('deleteExpired() returns 0: expired records are already gone, natively', async () => {
    const store = new RedisStore({ client: tracked(fromIoredis(io)), prefix });
    const expiresAt = Date.now() + 100;
    await store.set('native-1', 'v', expiresAt);
    await store.set('native-2', 'v', expiresAt, { userId: 'native-user' });
    assert.equal(await store.get('native-1'), 'v');
    await sleep(expiresAt - Date.now() + 20);
    assert.equal(await node.exists([`${prefix}s:native-1`, `${prefix}s:native-2`]), 0, 'Redis removed both records itself');
    assert.equal(await store.deleteExpired(), 0);
    assert.deepEqual(await store.listByUser('native-user'), []);
  });

  it('writes records with a native expiry at exactly expiresAt (PXAT), under prefix + "s:"', async () => {
    const store = new RedisStore({ client: tracked(fromNodeRedis(node)), prefix });
    const expiresAt = later() + 0.7;
    await store.set('layout', 'v', expiresAt);
    assert.equal(await node.pExpireTime(`${prefix}s:layout`), Math.floor(expiresAt));
    assert.equal(await node.get(`${prefix}s:layout`), ':v');
  });

  it("keeps a user's index alive at least as long as its longest-lived member", async () => {
    const store = new RedisStore({ client: tracked(fromIoredis(io)), prefix });
    const user = 'set-expiry-user';
    const setKey = `${prefix}user:${user}`;
    const first = later();
    await store.set('m1', 'v', first + 60_000, { userId: user });
    await store.set('m2', 'v', first, { userId: user });
    assert.ok((await node.pExpireTime(setKey)) >= first + 60_000, 'a shorter member does not shorten the index');
    assert.equal(await store.setIf('m1', 'v2', first + 180_000, 'v', { userId: user }), true);
    assert.ok((await node.pExpireTime(setKey)) >= first + 180_000, 'setIf extends the index');
    assert.deepEqual((await node.zRange(setKey, 0, -1)).sort(), ['m1', 'm2']);
  });

  it('delete removes the index entry; entries of records gone or moved to another user are pruned when listed, once old enough', async () => {
    const store = new RedisStore({ client: tracked(fromNodeRedis(node)), prefix });
    const setKey = `${prefix}user:prune-user`;
    for (const key of ['p1', 'p2', 'p3', 'p4']) await store.set(key, 'v', later(), { userId: 'prune-user' });
    await store.delete('p1');
    assert.deepEqual((await node.zRange(setKey, 0, -1)).sort(), ['p2', 'p3', 'p4'], 'delete removed its entry');
    await store.set('p2', 'v', later(), { userId: 'someone-else' });
    await node.del(`${prefix}s:p3`);
    assert.deepEqual((await store.listByUser('prune-user')).map((s) => s.key), ['p4']);
    assert.deepEqual((await node.zRange(setKey, 0, -1)).sort(), ['p2', 'p3', 'p4'], 'entries indexed moments ago are kept: their write may be on its way');
    // Indexed over a minute ago (the grace): now they go when met.
    await node.zAdd(setKey, [{ score: 1, value: 'p2' }, { score: 1, value: 'p3' }]);
    assert.deepEqual((await store.listByUser('prune-user')).map((s) => s.key), ['p4']);
    assert.deepEqual(await node.zRange(setKey, 0, -1), ['p4']);
  });

  it('user IDs with any characters get their own set', async () => {
    const store = new RedisStore({ client: tracked(fromIoredis(io)), prefix });
    const users = ['ünï 🔑', 'a:b', 'a', 'with space', '42'];
    for (const [i, user] of users.entries()) await store.set(`u${i}`, `v${i}`, later(), { userId: user });
    for (const [i, user] of users.entries()) {
      assert.deepEqual((await store.listByUser(user)).map((s) => [s.key, s.value]), [[`u${i}`, `v${i}`]], user);
      assert.equal(await store.deleteByUser(user), 1);
    }
  });

  it('a value not written by the store comes back whole (the manager reports it corrupt), and blocks a create-only setIf', async () => {
    const store = new RedisStore({ client: tracked(fromNodeRedis(node)), prefix });
    await node.set(`${prefix}s:foreign`, '{"cookie":{}}', { PX: 60_000 });
    assert.equal(await store.get('foreign'), '{"cookie":{}}');
    assert.equal(await store.setIf('foreign', 'v', later(), undefined), false);
    assert.equal(await store.setIf('foreign', 'v', later(), '{"cookie":{}}'), false);
    await node.rPush(`${prefix}s:wrong-type`, 'x');
    assert.equal(await store.get('wrong-type'), '', 'a key of another type reads as an empty (corrupt) record, not an error');
    assert.equal(await store.setIf('wrong-type', 'v', later(), undefined), false);
    await store.delete('wrong-type');
    assert.equal(await node.exists(`${prefix}s:wrong-type`), 0);
  });

  it('hot path: one command per read and per write once the scripts are loaded', async () => {
    const client = recording(tracked(fromIoredis(io)));
    const store = new RedisStore({ client, prefix });
    await store.set('warm', 'v', later(), { userId: 'hot-user' });
    await store.setIf('warm', 'v2', later(), 'v', { userId: 'hot-user' });
    client.commands.length = 0;
    await store.get('hot');
    assert.deepEqual(client.commands, ['GET']);
    client.commands.length = 0;
    await store.set('hot', 'v', later());
    assert.deepEqual(client.commands, ['SET']);
    client.commands.length = 0;
    // A login: the write finds the index does not cover it, writes the entry, then the record.
    await store.set('hot', 'v', later(), { userId: 'hot-user' });
    assert.deepEqual(client.commands, ['EVALSHA', 'EVALSHA', 'EVALSHA']);
    client.commands.length = 0;
    await store.set('hot', 'v', later(), { userId: 'hot-user' });
    assert.deepEqual(client.commands, ['EVALSHA']);
    client.commands.length = 0;
    assert.equal(await store.setIf('hot', 'v2', later(), 'v', { userId: 'hot-user' }), true);
    assert.deepEqual(client.commands, ['EVALSHA']);
  });

  it('close() leaves the client open and removes only the adapter’s error listener', async () => {
    const before = node.listenerCount('error');
    const store = new RedisStore({ client: tracked(fromNodeRedis(node)), prefix });
    assert.equal(node.listenerCount('error'), before + 1);
    await store.close();
    assert.equal(node.listenerCount('error'), before);
    assert.equal(await node.ping(), 'PONG');
    const ioBefore = io.listenerCount('error');
    const ioStore = new RedisStore({ client: tracked(fromIoredis(io)), prefix });
    await ioStore.close();
    assert.equal(io.listenerCount('error'), ioBefore);
    assert.equal(await io.ping(), 'PONG');
  });
});
