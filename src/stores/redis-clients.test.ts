// Client shapes RedisStore cannot use fail at construction with ERR_SESSION_CONFIG and a message
// that says what to do, instead of failing every call later. No server needed: neither client
// connects until asked to.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster } from 'redis';
import { isSessionError } from '../index.js';
import type { RedisCommandClient } from './redis.js';
import { RedisStore, fromIoredis, fromNodeRedis } from './redis.js';

const config = (pattern: RegExp) => (error: unknown) => isSessionError(error, 'ERR_SESSION_CONFIG') && pattern.test(error.message);

describe('RedisStore client shapes', () => {
  const nodeCluster = createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:1' }] });
  const nodeClient = createClient({ url: 'redis://127.0.0.1:1' });
  const ioredis = new Redis({ lazyConnect: true });
  const ioCluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });

  it('a bare node-redis cluster client is refused (it used to fail every call with a TypeError)', () => {
    assert.throws(() => new RedisStore({ client: nodeCluster as unknown as RedisCommandClient }), config(/fromNodeRedis\(client\) \(node-redis createClient or createCluster\)/));
  });

  it('a bare ioredis client or cluster is refused', () => {
    assert.throws(() => new RedisStore({ client: ioredis as unknown as RedisCommandClient }), config(/fromIoredis/));
    assert.throws(() => new RedisStore({ client: ioCluster as unknown as RedisCommandClient }), config(/fromIoredis/));
  });

  it('each adapter refuses the other driver’s client, and anything else', () => {
    assert.throws(() => fromIoredis(nodeClient as never), config(/use fromNodeRedis/));
    assert.throws(() => fromNodeRedis(ioredis as never), config(/use fromIoredis/));
    assert.throws(() => fromNodeRedis(ioCluster as never), config(/use fromIoredis/));
    assert.throws(() => fromIoredis({} as never), config(/ioredis Redis or Cluster/));
    assert.throws(() => fromNodeRedis({} as never), config(/createClient\(\) or createCluster\(\)/));
    assert.throws(() => new RedisStore({ client: undefined as never }), config(/needs \{ client \}/));
  });

  it('all four client kinds are accepted through their adapter', async () => {
    for (const client of [fromIoredis(ioredis), fromIoredis(ioCluster), fromNodeRedis(nodeClient), fromNodeRedis(nodeCluster)]) {
      const store = new RedisStore({ client });
      await store.close();
    }
  });

  it("the client's error events are logged by default, once per distinct message in a row; onError replaces that", (t) => {
    const logged = t.mock.method(console, 'error', () => undefined);
    const client = new Redis({ lazyConnect: true });
    const adapter = fromIoredis(client);
    for (const message of ['connect ECONNREFUSED', 'connect ECONNREFUSED', 'READONLY', 'connect ECONNREFUSED']) client.emit('error', new Error(message));
    assert.deepEqual(
      logged.mock.calls.map((call) => call.arguments[0]),
      ['connect ECONNREFUSED', 'READONLY', 'connect ECONNREFUSED'].map((m) => `tessera-session/redis: the Redis client reports: ${m}`),
    );
    adapter.release?.();
    const own: string[] = [];
    const quiet = fromIoredis(client, { onError: (error) => own.push(error.message) });
    client.emit('error', new Error('mine'));
    assert.deepEqual(own, ['mine']);
    assert.equal(logged.mock.callCount(), 3, 'a given onError replaces the default');
    quiet.release?.();
  });

  it('the default log repeats an error after a minute, and names an AggregateError by its first inner error', (t) => {
    const logged = t.mock.method(console, 'error', () => undefined);
    t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    const client = new Redis({ lazyConnect: true });
    const adapter = fromIoredis(client);
    const refused = (): AggregateError => new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:6399'), { code: 'ECONNREFUSED' })], '');
    client.emit('error', refused());
    t.mock.timers.tick(59_000);
    client.emit('error', refused());
    t.mock.timers.tick(1_000);
    client.emit('error', refused());
    assert.deepEqual(logged.mock.calls.map((call) => call.arguments[0]), Array(2).fill('tessera-session/redis: the Redis client reports: connect ECONNREFUSED ::1:6399'));
    adapter.release?.();
  });

  it('node-redis against a closed port: the refused connection is logged, not silently retried', async (t) => {
    const logged = t.mock.method(console, 'error', () => undefined);
    const client = createClient({ url: 'redis://127.0.0.1:1', socket: { reconnectStrategy: 50, connectTimeout: 1000 } });
    fromNodeRedis(client);
    client.connect().catch(() => undefined);
    // Only this adapter's lines (Node may print a warning of its own through console.error).
    const ours = (): string[] => logged.mock.calls.map((call) => String(call.arguments[0])).filter((line) => line.startsWith('tessera-session/redis:'));
    const deadline = Date.now() + 5000;
    while (ours().length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    client.destroy();
    assert.match(ours()[0] ?? '', /^tessera-session\/redis: the Redis client reports: .*ECONNREFUSED/);
  });

  it('waitForReplicas must be { replicas >= 1, timeout in seconds }', () => {
    const client = fromNodeRedis(nodeClient);
    for (const bad of [{ replicas: 0, timeout: 0.1 }, { replicas: 1.5, timeout: 0.1 }, { replicas: 1, timeout: 0 }, { replicas: 1, timeout: 60 }, { replicas: 1 }]) {
      assert.throws(() => new RedisStore({ client, waitForReplicas: bad as never }), config(/waitForReplicas/), JSON.stringify(bad));
    }
    assert.doesNotThrow(() => new RedisStore({ client, waitForReplicas: { replicas: 1, timeout: 0.05 } }));
  });
});
