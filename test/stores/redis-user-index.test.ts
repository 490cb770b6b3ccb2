// RedisStore's per-user index stays bounded: logins that regenerate and logouts remove their
// entry (1,000 logins in one browser used to leave 1,000 entries), and a user with 10,000 sessions
// is listed and revoked in batches, never in one long command. On a private redis-server that
// logs every command's duration (SLOWLOG with a 0 µs threshold); the test asserts on entries and
// batches only, and reports the slowest command it saw.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import express from 'express';
import { Redis } from 'ioredis';
import { createSessionManager } from '../../src/index.js';
import { session } from '../../src/express/index.js';
import type { RedisCommandClient } from '../../src/stores/redis.js';
import { RedisStore, fromIoredis } from '../../src/stores/redis.js';
import { Browser, serve } from '../support/http.js';
import { HOST, freePorts, redisServerSkip, scratchDir, startRedisServer } from '../support/redis-cluster.js';
import type { RedisServer } from '../support/redis-cluster.js';
import { describeUnlessSkipped } from '../support/services.js';

const SECRET = 'redis-user-index-secret-0123456789-abcdef';
const SESSIONS = 10_000;
/** Members per ZSCAN is a hint to Redis (the store asks for 100): allow it some slack. */
const MAX_MEMBERS_PER_COMMAND = 400;

const skip = redisServerSkip();
let server: RedisServer | undefined;
let redis: Redis;
const scratch = skip ? undefined : scratchDir('user-index');

before(async () => {
  if (skip) return;
  const [port] = await freePorts(7381, 1);
  server = await startRedisServer(port!, scratch!.dir, ['--slowlog-log-slower-than', '0', '--slowlog-max-len', '100000']);
  redis = new Redis({ host: HOST, port: port!, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  await redis.connect();
});

after(async () => {
  redis?.disconnect();
  await server?.kill();
  scratch?.remove();
});

/** Every command the store sent, with the reply. */
function recording(client: RedisCommandClient): RedisCommandClient & { log: Array<{ args: string[]; reply: unknown }> } {
  const log: Array<{ args: string[]; reply: unknown }> = [];
  return {
    log,
    sendCommand: async (args) => {
      const reply = await client.sendCommand(args);
      log.push({ args, reply });
      return reply;
    },
  };
}

/** The durations Redis logged since the last SLOWLOG RESET (the SLOWLOG calls aside), as median, 99th percentile and slowest. */
async function durations(): Promise<string> {
  const entries = (await redis.call('SLOWLOG', 'GET', '-1')) as Array<[number, number, number, string[]]>;
  const timed = entries.filter(([, , , args]) => args[0] !== 'SLOWLOG').sort((a, b) => a[2] - b[2]);
  if (timed.length === 0) return 'no commands logged';
  const at = (q: number): number => timed[Math.min(timed.length - 1, Math.floor(q * timed.length))]![2];
  const worst = timed[timed.length - 1]!;
  return `${timed.length} commands on Redis: median ${at(0.5)} µs, p99 ${at(0.99)} µs, slowest ${worst[2]} µs (${worst[3][0]})`;
}

describeUnlessSkipped('RedisStore per-user index stays bounded', skip, () => {
  it('50 logins (regenerate) in one browser leave one index entry, and logout leaves none', async () => {
    const prefix = 'logins:';
    const manager = createSessionManager({ secrets: SECRET, store: new RedisStore({ client: fromIoredis(redis), prefix }), cookie: { secure: false } });
    const app = express();
    app.use(session(manager, { onError: () => {} }));
    app.post('/login', (req, res) => {
      req.session.regenerate();
      req.session.set('userId', 'grace');
      res.send('ok');
    });
    app.post('/logout', (req, res) => {
      req.session.destroy();
      res.send('bye');
    });
    const http = await serve(app);
    try {
      const browser = new Browser(http.url);
      for (let i = 0; i < 50; i++) assert.equal((await browser.post('/login')).status, 200);
      assert.equal(await redis.zcard(`${prefix}user:grace`), 1, 'each regenerate removed the old session’s entry');
      assert.equal((await manager.listSessions('grace')).length, 1);
      assert.equal((await browser.post('/logout')).status, 200);
      assert.equal(await redis.zcard(`${prefix}user:grace`), 0, 'logout removed the last entry');
    } finally {
      await http.close();
    }
  });

  it(`a user with ${SESSIONS} sessions is listed and revoked in batches (the command durations are reported)`, { timeout: 120_000 }, async (t) => {
    const prefix = 'many:';
    const client = recording(fromIoredis(redis));
    const store = new RedisStore({ client, prefix });
    const expiresAt = Date.now() + 3_600_000;
    for (let from = 0; from < SESSIONS; from += 500) {
      await Promise.all(Array.from({ length: 500 }, (_, i) => store.set(`k${from + i}`, `v${from + i}`, expiresAt, { userId: 'hopper' })));
    }
    assert.equal(await redis.zcard(`${prefix}user:hopper`), SESSIONS);

    const batchSizes = (): number[] =>
      client.log.flatMap(({ args, reply }) => {
        if (args[0] === 'ZSCAN') return [((reply as [string, string[]])[1].length / 2) | 0];
        if (args[0] === 'ZREM') return [args.length - 2];
        return [args.length - 3 - Number(args[2])]; // a script's arguments
      });

    client.log.length = 0;
    await redis.call('SLOWLOG', 'RESET');
    const listed = await store.listByUser('hopper');
    assert.equal(listed.length, SESSIONS);
    const listScans = client.log.filter(({ args }) => args[0] === 'ZSCAN').length;
    assert.ok(listScans >= SESSIONS / MAX_MEMBERS_PER_COMMAND, `${listScans} ZSCAN batches`);
    assert.ok(Math.max(...batchSizes()) <= MAX_MEMBERS_PER_COMMAND, `largest batch ${Math.max(...batchSizes())}`);
    t.diagnostic(`listByUser(${SESSIONS}): ${listScans} ZSCAN batches; ${await durations()}`);

    client.log.length = 0;
    await redis.call('SLOWLOG', 'RESET');
    assert.equal(await store.deleteByUser('hopper', ['k0']), SESSIONS - 1);
    assert.ok(Math.max(...batchSizes()) <= MAX_MEMBERS_PER_COMMAND, `largest batch ${Math.max(...batchSizes())}`);
    t.diagnostic(`deleteByUser(${SESSIONS}): ${await durations()}`);
    assert.equal(await redis.zcard(`${prefix}user:hopper`), 1);
    assert.deepEqual((await store.listByUser('hopper')).map((s) => s.key), ['k0']);
  });
});
