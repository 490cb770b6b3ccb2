// RedisStore on a real Redis Cluster (3 masters, 3 replicas of private redis-servers, started and
// stopped by this file), with an ioredis Cluster and a node-redis createCluster client: the store
// conformance suite, logins and the per-user index over Express, and records of one user spread
// over the shards (no hash tag).
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import express from 'express';
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { createSessionManager } from '../index.js';
import type { SessionStore } from '../index.js';
import { session } from '../express/index.js';
import { runStoreConformance } from '../testing/index.js';
import { Browser, serve } from '../../test/support/http.js';
import { redisServerSkip, startRedisCluster } from '../../test/support/redis-cluster.js';
import type { RedisCluster } from '../../test/support/redis-cluster.js';
import { describeUnlessSkipped } from '../../test/support/services.js';
import { storeView } from '../../test/support/store-view.js';
import type { RedisCommandClient } from './redis.js';
import { RedisStore, fromIoredis, fromNodeRedis } from './redis.js';

const SECRET = 'redis-cluster-secret-0123456789-abcdefgh';
const skip = redisServerSkip();

let cluster: RedisCluster | undefined;
let io: Cluster | undefined;
let node: ReturnType<typeof createCluster> | undefined;

before(async () => {
  if (skip) return;
  cluster = await startRedisCluster({ basePort: 7301 });
  io = new Cluster([...cluster.nodes], { enableOfflineQueue: false, redisOptions: { maxRetriesPerRequest: 1 } });
  io.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    io!.once('ready', resolve);
    io!.once('end', () => reject(new Error('the ioredis Cluster client ended before it was ready')));
  });
  node = createCluster({ rootNodes: cluster.nodes.map(({ host, port }) => ({ url: `redis://${host}:${port}` })), defaults: { disableOfflineQueue: true } });
  node.on('error', () => {});
  await node.connect();
});

after(async () => {
  io?.disconnect();
  node?.destroy();
  await cluster?.stop();
});

interface ClientCase {
  name: string;
  client(): RedisCommandClient;
}
const clients: ClientCase[] = [
  { name: 'ioredis Cluster', client: () => fromIoredis(io!) },
  { name: 'node-redis createCluster', client: () => fromNodeRedis(node!) },
];

/** Redis expires records itself, so the suite's deleteExpired case (a sweep that counts) does not apply: RedisStore.deleteExpired() is always 0. */
const nativeExpiry = (store: RedisStore): SessionStore => storeView(store, ['deleteExpired']);

for (const [i, { name, client }] of clients.entries()) {
  runStoreConformance(`RedisStore on Redis Cluster via ${name}`, {
    makeStore: () => nativeExpiry(new RedisStore({ client: client(), prefix: `conf${i}:` })),
    ...(skip ? { skip } : {}),
  });
}

/** Which master holds `key`: CLUSTER KEYSLOT, then the slot ranges of CLUSTER SHARDS-free CLUSTER SLOTS. */
async function masterPortOf(key: string): Promise<number> {
  const slot = Number(await cluster!.command(cluster!.ports[0]!, ['CLUSTER', 'KEYSLOT', key]));
  const ranges = (await cluster!.command(cluster!.ports[0]!, ['CLUSTER', 'SLOTS'])) as Array<[number, number, [string, number]]>;
  const range = ranges.find(([from, to]) => slot >= from && slot <= to);
  assert.ok(range !== undefined, `slot ${slot} is served`);
  return Number(range[2][1]);
}

for (const [i, { name, client }] of clients.entries()) {
  describeUnlessSkipped(`RedisStore on Redis Cluster via ${name}`, skip, () => {
    it('logins, "your devices" and revocation work over Express, with one user’s sessions on several shards', async () => {
      const prefix = `http${i}:`;
      const store = new RedisStore({ client: client(), prefix });
      const manager = createSessionManager({ secrets: SECRET, store, cookie: { secure: false, name: 'sid' } });
      const app = express();
      app.use(session(manager, { onError: () => {} }));
      app.post('/login', (req, res) => {
        req.session.regenerate();
        req.session.set('userId', 'ada');
        res.send('ok');
      });
      app.get('/me', (req, res) => res.send(String(req.session.get('userId') ?? 'anonymous')));
      app.get('/devices', async (req, res) => res.json(await manager.listSessions('ada', req.session)));
      app.post('/revoke-others', async (req, res) => res.json(await manager.revokeSessions('ada', { except: req.session })));
      const http = await serve(app);
      try {
        const browsers = Array.from({ length: 12 }, () => new Browser(http.url));
        for (const browser of browsers) assert.equal((await browser.post('/login')).status, 200);
        for (const browser of browsers) assert.equal((await browser.get('/me')).body, 'ada');
        const devices = JSON.parse((await browsers[0]!.get('/devices')).body) as Array<{ current: boolean }>;
        assert.equal(devices.length, 12);
        assert.equal(devices.filter((d) => d.current).length, 1);
        // No hash tag: the records of one user live on more than one master.
        const keys: string[] = [];
        for (const port of cluster!.ports) {
          const [, found] = (await cluster!.command(port, ['SCAN', '0', 'MATCH', `${prefix}s:*`, 'COUNT', '1000'])) as [string, string[]];
          keys.push(...found);
        }
        const masters = new Set(await Promise.all(keys.map(masterPortOf)));
        assert.ok(masters.size >= 2, `12 records on ${masters.size} master(s)`);
        assert.equal(JSON.parse((await browsers[0]!.post('/revoke-others')).body), 11);
        assert.equal((await browsers[0]!.get('/me')).body, 'ada');
        for (const browser of browsers.slice(1)) assert.equal((await browser.get('/me')).body, 'anonymous');
        assert.equal(JSON.parse((await browsers[0]!.get('/devices')).body).length, 1);
      } finally {
        await http.close();
      }
    });

    it('waitForReplicas: a login and a revocation WAIT on the masters that wrote, and a replica acknowledges', async () => {
      const inner = client();
      const waits: Array<{ key: string; acknowledged: unknown }> = [];
      const counted: RedisCommandClient = {
        sendCommand: (args) => inner.sendCommand(args),
        waitForReplicas: async (key, replicas, timeoutMs) => {
          const acknowledged = await inner.waitForReplicas!(key, replicas, timeoutMs);
          waits.push({ key, acknowledged });
          return acknowledged;
        },
      };
      const prefix = `wait${i}:`;
      const store = new RedisStore({ client: counted, prefix, waitForReplicas: { replicas: 1, timeout: 0.5 } });
      await store.set('anon', 'v', Date.now() + 60_000);
      assert.equal(waits.length, 0, 'an anonymous write is not waited for');
      await store.set('login', 'v', Date.now() + 60_000, { userId: 'wu' });
      assert.deepEqual(waits.map((w) => w.key).sort(), [`${prefix}s:login`, `${prefix}user:wu`]);
      await store.set('login', 'v2', Date.now() + 60_000, { userId: 'wu' });
      assert.equal(waits.length, 2, 'a write the index already covers is not waited for');
      await store.delete('login');
      assert.equal(waits.length, 4, 'a logout is');
      assert.ok(waits.every((w) => Number(w.acknowledged) >= 1), JSON.stringify(waits));
    });

    it('garbage under a session key (a list, a headerless string) gives a fresh session and is deleted', async () => {
      const prefix = `garbage${i}:`;
      const store = new RedisStore({ client: client(), prefix });
      const events: string[] = [];
      const manager = createSessionManager<{ n: number }>({ secrets: SECRET, store, onEvent: (e) => events.push(e.type) });
      const first = await manager.load(undefined);
      first.set('n', 1);
      const cookie = (await manager.commit(first)).setCookie[0]!.split(';')[0]!;
      const [, [key]] = await scanOne(`${prefix}s:*`);
      assert.ok(key !== undefined);
      const port = await masterPortOf(key);
      const spoils = [
        [['DEL', key], ['RPUSH', key, 'x']],
        [['SET', key, 'not a record']],
      ];
      for (const spoil of spoils) {
        for (const command of spoil) await cluster!.command(port, command);
        events.length = 0;
        const loaded = await manager.load(cookie);
        assert.equal(loaded.isNew, true);
        await manager.commit(loaded);
        assert.deepEqual(events, ['corrupt']);
        assert.equal(await cluster!.command(port, ['EXISTS', key]), 0, 'the bad key was deleted');
      }
    });
  });
}

async function scanOne(pattern: string): Promise<[string, string[]]> {
  const found: string[] = [];
  for (const port of cluster!.ports) {
    const [, keys] = (await cluster!.command(port, ['SCAN', '0', 'MATCH', pattern, 'COUNT', '1000'])) as [string, string[]];
    found.push(...keys);
  }
  return ['0', found];
}
