// RedisStore when Redis goes away: a PRIVATE redis-server on a free port of 127.0.0.1, started and
// stopped by PID by this file only. Store calls through the manager must fail fast with
// ERR_SESSION_STORE, the clients' `error` events must not crash the process, and calls must
// succeed again once the server is back on the same port, with the same store and manager.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { after, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import express from 'express';
import { DEFAULTS, SessionError, createSessionManager, isSessionError } from '../index.js';
import { session } from '../express/index.js';
import { Browser, serve } from '../../test/support/http.js';
import { describeUnlessSkipped } from '../../test/support/services.js';
import type { SessionManager } from '../index.js';
import type { RedisCommandClient } from './redis.js';
import { RedisStore, fromIoredis, fromNodeRedis } from './redis.js';

const SECRET = 'redis-failure-secret-0123456789-abcdefgh';
const HOST = '127.0.0.1';
/**
 * storeTimeout is 1 s by default; a failure must show within this: room for a loaded CI machine,
 * and far below what it guards against (a hang, or a driver retrying for ever or for 10 s).
 */
const FAIL_WITHIN_MS = 2_500;
const RECOVER_WITHIN_MS = 10_000;

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
const skip = hasRedisServer ? undefined : 'redis-server is not installed, so no private server can be started';
if (skip !== undefined) {
  if (process.env.CI) throw new Error(`${skip}; CI is set, so this is a failure, not a skip`);
  console.warn(`# skipping: ${skip}`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

const canConnect = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/** The redis-servers this file started, by PID; only these are ever stopped. */
const started = new Set<ChildProcess>();

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', HOST], { stdio: 'ignore' });
  started.add(child);
  child.once('exit', () => started.delete(child));
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} before listening on ${port}`);
    if (await canConnect(port)) return child;
    await sleep(50);
  }
  await stopRedis(child);
  throw new Error(`redis-server did not listen on ${port} within 5 s`);
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGKILL');
  await Promise.race([exited, sleep(5_000, undefined, { ref: false })]);
}

after(async () => {
  for (const child of [...started]) await stopRedis(child);
});

/** Runs `call`, expecting ERR_SESSION_STORE within FAIL_WITHIN_MS. */
async function failsFast(what: string, call: () => Promise<unknown>): Promise<void> {
  const startedAt = Date.now();
  await assert.rejects(call(), (error) => isSessionError(error, 'ERR_SESSION_STORE'), what);
  const took = Date.now() - startedAt;
  assert.ok(took <= FAIL_WITHIN_MS, `${what} failed after ${took} ms, more than ${FAIL_WITHIN_MS}`);
}

/** Retries `call` until it resolves, bounded in attempts and time. */
async function recovers<T>(what: string, call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + RECOVER_WITHIN_MS;
  let last: unknown;
  for (let attempt = 0; attempt < 200 && Date.now() < deadline; attempt++) {
    try {
      return await call();
    } catch (error) {
      assert.ok(isSessionError(error, 'ERR_SESSION_STORE'), `${what}: unexpected ${String(error)}`);
      last = error;
      await sleep(100);
    }
  }
  throw new Error(`${what} did not recover within ${RECOVER_WITHIN_MS} ms`, { cause: last });
}

const cookieOf = (setCookie: string[]): string => setCookie[0]!.split(';')[0]!;

async function newSessionCookie(manager: SessionManager<{ n: number }>, n: number): Promise<string> {
  const session = await manager.load(undefined);
  session.set('n', n);
  return cookieOf((await manager.commit(session)).setCookie);
}

interface ClientCase {
  name: string;
  /** A client for `port`, with the settings tessera's docs recommend, and how to dispose of it. */
  make(port: number, onError: (error: Error) => void): Promise<{ client: RedisCommandClient; dispose(): Promise<void> }>;
}

const clientCases: ClientCase[] = [
  {
    name: 'ioredis',
    async make(port, onError) {
      const redis = new Redis({ host: HOST, port, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: (times) => Math.min(times * 100, 1_000) });
      // No error listener of our own: the adapter's must be enough.
      const client = fromIoredis(redis, { onError });
      // Without an offline queue, commands sent before the connection is ready fail: wait for it.
      await redis.connect().catch(() => {});
      return { client, dispose: async () => redis.disconnect() };
    },
  },
  {
    name: 'node-redis',
    async make(port, onError) {
      const redis = createClient({ socket: { host: HOST, port, connectTimeout: 1_000, reconnectStrategy: (retries) => Math.min(retries * 100, 1_000) }, disableOfflineQueue: true });
      // The adapter attaches the only error listener; without one node-redis would throw on `error`.
      const client = fromNodeRedis(redis, { onError });
      // connect() settles once connected; on a closed port it keeps retrying, so stop waiting at the first error.
      const connecting = redis.connect().catch(() => {});
      await Promise.race([connecting, new Promise((resolve) => redis.once('error', resolve))]);
      return { client, dispose: async () => void (redis.isOpen ? redis.destroy() : undefined) };
    },
  },
];

for (const { name, make } of clientCases) {
  describeUnlessSkipped(`RedisStore over ${name} when Redis fails`, skip, () => {
    it('fails fast with ERR_SESSION_STORE while the server is down, and recovers when it is back on the same port', async () => {
      const port = await freePort();
      let server = await startRedis(port);
      const errors: Error[] = [];
      const { client, dispose } = await make(port, (error) => errors.push(error));
      try {
        const commands: string[] = [];
        const store = new RedisStore({ client: { sendCommand: (args) => (commands.push(args[0]!), client.sendCommand(args)), release: () => client.release?.() }, prefix: 'failure:' });
        const manager = createSessionManager<{ n: number }>({ secrets: SECRET, store });
        assert.equal(DEFAULTS.storeTimeout, 1, 'the default storeTimeout (s), which the manager below uses');

        const cookie = await newSessionCookie(manager, 1);
        const loaded = await manager.load(cookie);
        assert.equal(loaded.get('n'), 1);
        // A fresh server knows no script: the first compare-and-set falls back to EVAL, then EVALSHA suffices.
        commands.length = 0;
        loaded.set('n', 2);
        await manager.commit(loaded);
        assert.deepEqual(commands, ['EVALSHA', 'EVAL']);
        commands.length = 0;
        const again = await manager.load(cookie);
        again.set('n', 3);
        await manager.commit(again);
        assert.deepEqual(commands, ['GET', 'EVALSHA']);

        // The same manager behind the Express middleware, over real HTTP.
        const app = express();
        app.use(session(manager, { onError: () => {} }));
        app.get('/', (req, res) => res.send(String(req.session.get('n') ?? 'anonymous')));
        const http = await serve(app);
        try {
          assert.equal((await new Browser(http.url).get('/', { cookie })).body, '3');
          await stopRedis(server);
          const startedAt = Date.now();
          const down = await new Browser(http.url).get('/', { cookie });
          assert.equal(down.status, 503, 'a store outage is a 503, never an anonymous page');
          assert.equal(down.headers.get('retry-after'), '1');
          assert.ok(Date.now() - startedAt <= FAIL_WITHIN_MS, `the 503 took ${Date.now() - startedAt} ms`);
          server = await startRedis(port);
          const back = await recovers('HTTP after restart', async () => {
            const res = await new Browser(http.url).get('/', { cookie });
            if (res.status !== 200) throw new SessionError('ERR_SESSION_STORE', `still answering ${res.status}`);
            return res;
          });
          assert.equal(back.body, 'anonymous', 'the restarted server has no data, so the old cookie is a fresh visitor');
        } finally {
          await http.close();
        }
        await stopRedis(server);
        for (let round = 0; round < 3; round++) {
          await failsFast(`load #${round + 1}`, () => manager.load(cookie));
          const session = await manager.load(undefined);
          session.set('n', round);
          await failsFast(`commit #${round + 1}`, () => manager.commit(session));
        }
        // The store alone has no timer: the client settings (no offline queue) are what make it fail fast.
        const startedAt = Date.now();
        await assert.rejects(store.get('x'));
        assert.ok(Date.now() - startedAt <= FAIL_WITHIN_MS, `the bare store call took ${Date.now() - startedAt} ms`);
        // Reconnect attempts raise `error` events on the client: they reach the adapter's listener and crash nothing.
        for (let wait = 0; wait < 60 && errors.length === 0; wait++) await sleep(50);
        assert.ok(errors.length > 0, 'the client reported the outage through the adapter');

        server = await startRedis(port);
        // The new server has no data (no persistence): the old cookie now gives a fresh session.
        const afterRestart = await recovers('load after restart', () => manager.load(cookie));
        assert.equal(afterRestart.isNew, true);
        const fresh = await recovers('commit after restart', () => newSessionCookie(manager, 7));
        const reloaded = await manager.load(fresh);
        assert.equal(reloaded.get('n'), 7);
        reloaded.set('n', 8);
        await manager.commit(reloaded);
        assert.equal((await manager.load(fresh)).get('n'), 8, 'compare-and-set works again (scripts reloaded)');
        await store.close();
      } finally {
        await dispose();
        await stopRedis(server);
      }
    });

    it('fails fast with ERR_SESSION_STORE when the port is closed from the start', async () => {
      const port = await freePort();
      const { client, dispose } = await make(port, () => {});
      try {
        const manager = createSessionManager<{ n: number }>({ secrets: SECRET, store: new RedisStore({ client, prefix: 'closed:' }) });
        const session = await manager.load(undefined);
        session.set('n', 1);
        await failsFast('commit', () => manager.commit(session));
        const server = createSessionManager<{ n: number }>({ secrets: SECRET });
        const cookie = await newSessionCookie(server, 1);
        await failsFast('load', () => manager.load(cookie));
        await failsFast('listSessions', () => manager.listSessions('user-1'));
      } finally {
        await dispose();
      }
    });
  });
}
