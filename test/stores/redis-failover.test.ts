// A real failover under load, over Express: a private Redis Cluster (3 masters, 3 replicas,
// cluster-node-timeout 1 s), a master killed (SIGKILL) while a bounded loop of requests writes to a
// session on it. Checked: every request answers (200, or 503 with Retry-After, within a bound);
// writes to that shard succeed again within 1 s of its replica's promotion; no session committed
// before or during the outage is lost (the store WAITs for a replica after logins); the promoted
// node, which had never run the store's scripts, gets them (NOSCRIPT, then EVAL). Once with an
// ioredis Cluster client, once with a node-redis createCluster client, each killing its own master.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { createSessionManager } from '../../src/index.js';
import { session } from '../../src/express/index.js';
import type { RedisCommandClient } from '../../src/stores/redis.js';
import { RedisStore, fromIoredis, fromNodeRedis } from '../../src/stores/redis.js';
import { PUT } from '../../src/stores/redis-scripts.js';
import { Browser, serve } from '../support/http.js';
import { redisServerSkip, startRedisCluster } from '../support/redis-cluster.js';
import type { ClusterNode, RedisCluster } from '../support/redis-cluster.js';
import { describeUnlessSkipped } from '../support/services.js';

const SECRET = 'redis-failover-secret-0123456789-abcdefgh';
/** Writes must work again this soon after the replica became master. */
const RECOVER_WITHIN_MS = 1_000;
/** Each request of the loop must answer within this (storeTimeout is 1 s). */
const ANSWER_WITHIN_MS = 3_000;
/** The load: writes to the shard under test, and logins, each LOOP_PAUSE_MS after the last answer, at most LOOP_ROUNDS each. */
const LOOP_ROUNDS = 400;
const LOOP_PAUSE_MS = 25;
const LOOP_LIMIT_MS = 20_000;

const skip = redisServerSkip();
let cluster: RedisCluster | undefined;
const cleanups: Array<() => Promise<void> | void> = [];

before(async () => {
  if (!skip) cluster = await startRedisCluster({ basePort: 7321, nodeTimeoutMs: 1_000 });
});
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await cluster?.stop();
});

interface Made {
  client: RedisCommandClient;
  close(): Promise<void> | void;
}

const clientCases: Array<{ name: string; make(): Promise<Made> }> = [
  {
    name: 'ioredis Cluster',
    async make() {
      const io = new Cluster([...cluster!.nodes], {
        enableOfflineQueue: false,
        retryDelayOnFailover: 100,
        retryDelayOnClusterDown: 100,
        redisOptions: { maxRetriesPerRequest: 1, connectTimeout: 500 },
      });
      io.on('error', () => {});
      await new Promise<void>((resolve) => io.once('ready', resolve));
      return { client: fromIoredis(io), close: () => io.disconnect() };
    },
  },
  {
    name: 'node-redis createCluster',
    async make() {
      const node = createCluster({
        rootNodes: cluster!.nodes.map(({ host, port }) => ({ url: `redis://${host}:${port}` })),
        defaults: { disableOfflineQueue: true, socket: { connectTimeout: 500, reconnectStrategy: () => 100 } },
        // Re-read the topology 100 ms after a node starts reconnecting, not the default 5 s.
        topologyRefreshOnReconnectionAttemptStrategy: 100,
      });
      node.on('error', () => {});
      await node.connect();
      return { client: fromNodeRedis(node), close: () => node.destroy() };
    },
  },
];

/** Counts NOSCRIPT replies, and which nodes... the commands went through. */
function counting(client: RedisCommandClient): RedisCommandClient & { noScript: number } {
  const counted = {
    noScript: 0,
    sendCommand: async (args: string[]) => {
      try {
        return await client.sendCommand(args);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('NOSCRIPT')) counted.noScript++;
        throw error;
      }
    },
    waitForReplicas: client.waitForReplicas?.bind(client),
    release: () => client.release?.(),
  };
  return counted;
}

/** The store key (with prefix) of the one record whose value holds `marker`, and its master. */
async function recordOf(prefix: string, marker: string): Promise<{ key: string; master: ClusterNode }> {
  for (const port of cluster!.ports) {
    if (!cluster!.servers.get(port)!.alive) continue;
    const [, keys] = (await cluster!.command(port, ['SCAN', '0', 'MATCH', `${prefix}s:*`, 'COUNT', '10000'])) as [string, string[]];
    for (const key of keys) {
      const master = await cluster!.masterOf(key);
      if (master.port !== port) continue;
      if (String(await cluster!.command(port, ['GET', key])).includes(marker)) return { key, master };
    }
  }
  throw new Error(`no record holds ${marker}`);
}

interface Answer {
  at: number;
  status: number;
  retryAfter: string | null;
  ms: number;
}

for (const [round, { name, make }] of clientCases.entries()) {
  describeUnlessSkipped(`Redis Cluster failover via ${name}`, skip, () => {
    it('a master killed under load: 503 with Retry-After while down, writes back within 1 s of the promotion, nothing committed lost, scripts reloaded', { timeout: 90_000 }, async (t) => {
      const prefix = `failover${round}:`;
      const made = await make();
      cleanups.push(() => made.close());
      const client = counting(made.client);
      const store = new RedisStore({ client, prefix, waitForReplicas: { replicas: 1, timeout: 0.1 } });
      const manager = createSessionManager({ secrets: SECRET, store, cookie: { secure: false } });
      const app = express();
      app.use(session(manager, { onError: () => {} }));
      app.post('/login/:name', (req, res) => {
        req.session.regenerate();
        req.session.set('userId', req.params.name);
        res.send('ok');
      });
      app.post('/bump', (req, res) => res.send(String(req.session.update('n', (n) => ((n as number | undefined) ?? 0) + 1))));
      app.get('/me', (req, res) => res.send(String(req.session.get('userId') ?? 'anonymous')));
      const http = await serve(app);
      cleanups.push(() => http.close());

      // The shard under test: the master of a logged-in session's record, one that has a replica.
      const topology = await cluster!.topology();
      const withReplica = new Set(topology.filter((n) => !n.master && !n.failed).map((n) => n.masterId));
      let target: { browser: Browser; master: ClusterNode } | undefined;
      for (let attempt = 0; attempt < 50 && target === undefined; attempt++) {
        const browser = new Browser(http.url);
        assert.equal((await browser.post(`/login/target-${attempt}`)).status, 200);
        const { master } = await recordOf(prefix, `target-${attempt}`);
        if (withReplica.has(master.id)) target = { browser, master };
      }
      assert.ok(target !== undefined, 'a session on a master with a replica');
      const replica = topology.find((n) => n.masterId === target!.master.id && !n.failed)!;
      assert.deepEqual(await cluster!.command(replica.port, ['SCRIPT', 'EXISTS', PUT.sha]), [0], 'the replica never ran the store’s scripts');

      // Sessions committed before the kill.
      const committed = new Map<Browser, string>();
      for (let i = 0; i < 30; i++) {
        const browser = new Browser(http.url);
        if ((await browser.post(`/login/before-${i}`)).status === 200) committed.set(browser, `before-${i}`);
      }
      assert.equal(committed.size, 30);

      // The bounded load, the kill, and the promotion watch.
      const answers: Answer[] = [];
      let stop = false;
      const startedAt = Date.now();
      const running = (i: number): boolean => i < LOOP_ROUNDS && !stop && Date.now() - startedAt < LOOP_LIMIT_MS;
      // Two loops side by side: writes to the shard under test, and logins anywhere.
      const load = Promise.all([
        (async () => {
          for (let i = 0; running(i); i++) {
            const at = Date.now();
            const res = await target!.browser.post('/bump');
            answers.push({ at, status: res.status, retryAfter: res.headers.get('retry-after'), ms: Date.now() - at });
            await sleep(LOOP_PAUSE_MS);
          }
        })(),
        (async () => {
          for (let i = 0; running(i); i++) {
            const browser = new Browser(http.url);
            if ((await browser.post(`/login/during-${i}`)).status === 200) committed.set(browser, `during-${i}`);
            await sleep(LOOP_PAUSE_MS);
          }
        })(),
      ]);
      await sleep(300);
      const killedAt = Date.now();
      await cluster!.servers.get(target.master.port)!.kill();
      let promotedAt: number | undefined;
      for (let i = 0; i < 300 && promotedAt === undefined; i++) {
        const role = (await cluster!.command(replica.port, ['ROLE']).catch(() => [])) as unknown[];
        if (role[0] === 'master') promotedAt = Date.now();
        else await sleep(20);
      }
      assert.ok(promotedAt !== undefined, 'the replica was promoted within 6 s');
      // Let the load run on past the promotion, then stop it.
      while (Date.now() - promotedAt < RECOVER_WITHIN_MS + 1_000 && answers.length < LOOP_ROUNDS) await sleep(50);
      stop = true;
      await load;

      const during = answers.filter((a) => a.at >= killedAt);
      const failures = during.filter((a) => a.status !== 200);
      assert.ok(failures.length > 0, 'the outage was seen');
      for (const a of failures) assert.deepEqual([a.status, a.retryAfter], [503, '1'], 'a failure is a 503 with Retry-After');
      for (const a of answers) assert.ok(a.ms < ANSWER_WITHIN_MS, `a request answered after ${a.ms} ms`);
      const firstOk = during.find((a) => a.status === 200 && a.at + a.ms >= promotedAt!);
      assert.ok(firstOk !== undefined, 'writes came back after the promotion');
      const recoveredAfter = firstOk.at + firstOk.ms - promotedAt;
      t.diagnostic(
        `killed master :${target.master.port}; promoted :${replica.port} ${promotedAt - killedAt} ms after the kill; ${failures.length} of ${during.length} writes failed (503); first write ok ${recoveredAfter} ms after the promotion; ${client.noScript} NOSCRIPT replies`,
      );
      assert.ok(recoveredAfter <= RECOVER_WITHIN_MS, `first successful write ${recoveredAfter} ms after the promotion`);
      assert.ok(during.slice(during.indexOf(firstOk)).every((a) => a.status === 200), 'and every write after it succeeded');

      // Nothing committed was lost: every session whose login answered 200 is still logged in.
      for (const [browser, user] of committed) assert.equal((await browser.get('/me')).body, user, `session of ${user}`);
      assert.ok(client.noScript > 0, 'the promoted node answered NOSCRIPT at first');
      assert.deepEqual(await cluster!.command(replica.port, ['SCRIPT', 'EXISTS', PUT.sha]), [1], 'and now has the script');
    });
  });
}
