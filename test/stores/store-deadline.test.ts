// Every request gets its answer within about storeTimeout when a store hangs, over real HTTP:
// parallel commits of one session share one deadline each (the wait behind each other included),
// and any store that returns a promise is bounded, MemoryStore subclasses included. Against a
// store whose calls hang, and against a private redis-server paused with SIGSTOP.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import express from 'express';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DEFAULTS, MemoryStore } from '../../src/index.js';
import type { SessionStore, StoreWriteMeta } from '../../src/index.js';
import { session } from '../../src/express/index.js';
import { PostgresStore } from '../../src/stores/postgres.js';
import { RedisStore, fromIoredis } from '../../src/stores/redis.js';
import { Browser, serve } from '../support/http.js';
import type { BrowserResponse } from '../support/http.js';
import { HOST, freePorts, redisServerSkip, scratchDir, startRedisServer } from '../support/redis-cluster.js';
import type { RedisServer } from '../support/redis-cluster.js';
import { describeUnlessSkipped, pgUrl, runScopedName } from '../support/services.js';
import { requirePostgres } from '../support/service-probes.js';

const SECRET = 'store-deadline-secret-0123456789-abcdefgh';
const PARALLEL = 10;
/** storeTimeout is the default, 1 s; with the queue wait unbounded the 10th answer came after 10 s. */
const ANSWER_WITHIN_MS = 3_000;

const never = <T>(): Promise<T> => new Promise<T>(() => {});

/** A memory store whose calls can be made to hang, the way a stopped server's do. */
class HangingStore extends MemoryStore {
  hangReads = false;
  hangWrites = false;
  override get(key: string): string | undefined {
    // A subclass may turn the synchronous read into a promise: it must be bounded like any other.
    return this.hangReads ? (never<string | undefined>() as unknown as string | undefined) : super.get(key);
  }
  override setIf(key: string, value: string, expiresAt: number, previous: string | undefined, meta?: StoreWriteMeta): Promise<boolean> {
    return this.hangWrites ? never() : super.setIf(key, value, expiresAt, previous, meta);
  }
}

interface Timed {
  res: BrowserResponse;
  ms: number;
}

/** Holds requests (after their session loaded) until opened; says when the expected number arrived. */
class Gate {
  #arrived = 0;
  #expected = 0;
  #all: () => void = () => {};
  #open: () => void = () => {};
  allArrived: Promise<void> = Promise.resolve();
  opened: Promise<void> = Promise.resolve();
  expect(count: number): void {
    this.#arrived = 0;
    this.#expected = count;
    this.allArrived = new Promise((resolve) => (this.#all = resolve));
    this.opened = new Promise((resolve) => (this.#open = resolve));
  }
  arrive(): void {
    if (++this.#arrived === this.#expected) this.#all();
  }
  open(): void {
    this.#open();
  }
}

/** An app whose POST /bump changes the session, after `gate` (when given) opens. */
function bumpApp(store: SessionStore, errors: unknown[], gate?: Gate) {
  const app = express();
  app.use(session({ secrets: SECRET, store, cookie: { secure: false }, onError: (error) => void errors.push(error) }));
  app.get('/n', (req, res) => res.send(String(req.session.get('n') ?? 'none')));
  app.post('/bump', async (req, res) => {
    req.session.update('n', (n) => ((n as number | undefined) ?? 0) + 1);
    gate?.arrive();
    await gate?.opened;
    res.send('ok');
  });
  return app;
}

async function parallelBumps(browser: Browser, count: number, startAt: () => number): Promise<Timed[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const res = await browser.post('/bump');
      return { res, ms: Date.now() - startAt() };
    }),
  );
}

function assertAllUnavailable(answers: Timed[]): void {
  const statuses = answers.map((a) => a.res.status);
  assert.deepEqual(statuses, answers.map(() => 503), 'every request got its 503');
  for (const { res } of answers) assert.equal(res.headers.get('retry-after'), '1');
  const slowest = Math.max(...answers.map((a) => a.ms));
  assert.ok(slowest < ANSWER_WITHIN_MS, `the slowest of ${answers.length} answered after ${slowest} ms (storeTimeout 1 s)`);
}

describe('one deadline per commit, over HTTP', () => {
  assert.equal(DEFAULTS.storeTimeout, 1);

  it(`${PARALLEL} parallel commits of one session while the store hangs: every one answers 503 within about storeTimeout`, { timeout: 20_000 }, async () => {
    const store = new HangingStore();
    const errors: unknown[] = [];
    const http = await serve(bumpApp(store, errors));
    try {
      const browser = new Browser(http.url);
      assert.equal((await browser.post('/bump')).status, 200);
      store.hangWrites = true;
      const startedAt = Date.now();
      assertAllUnavailable(await parallelBumps(browser, PARALLEL, () => startedAt));
      assert.equal(errors.length, PARALLEL, 'onError heard every failed commit');
      store.hangWrites = false;
      assert.equal((await browser.post('/bump')).status, 200, 'the next commit, once the store answers, is not stuck behind the hung ones');
      assert.equal((await browser.get('/n')).body, '2');
    } finally {
      await http.close();
    }
  });

  it('a MemoryStore subclass whose get never settles answers 503 within storeTimeout (it used to hang the request)', { timeout: 10_000 }, async () => {
    const store = new HangingStore();
    const errors: unknown[] = [];
    const http = await serve(bumpApp(store, errors));
    try {
      const browser = new Browser(http.url);
      assert.equal((await browser.post('/bump')).status, 200);
      store.hangReads = true;
      const startedAt = Date.now();
      const res = await browser.get('/n');
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '1');
      assert.ok(Date.now() - startedAt < ANSWER_WITHIN_MS, `answered after ${Date.now() - startedAt} ms`);
      store.hangReads = false;
      assert.equal((await browser.get('/n')).body, '1');
    } finally {
      await http.close();
    }
  });
});

const skip = redisServerSkip();
const started: RedisServer[] = [];
const scratch = skip ? undefined : scratchDir('deadline');
after(async () => {
  for (const server of started) await server.kill();
  scratch?.remove();
});

describeUnlessSkipped('one deadline per commit, on a redis-server paused with SIGSTOP', skip, () => {
  it(`${PARALLEL} parallel commits of one session: every one answers 503 within about storeTimeout, and all works after SIGCONT`, { timeout: 30_000 }, async () => {
    const [port] = await freePorts(7391, 1);
    const server = await startRedisServer(port!, scratch!.dir);
    started.push(server);
    const redis = new Redis({ host: HOST, port: port!, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    redis.on('error', () => {});
    await redis.connect();
    const gate = new Gate();
    const errors: unknown[] = [];
    const http = await serve(bumpApp(new RedisStore({ client: fromIoredis(redis), prefix: 'deadline:' }), errors, gate));
    try {
      const browser = new Browser(http.url);
      gate.expect(1);
      const first = browser.post('/bump');
      await gate.allArrived;
      gate.open();
      assert.equal((await first).status, 200, 'the session is created while Redis answers');
      // Ten requests load the session while Redis answers, and commit once it is stopped.
      gate.expect(PARALLEL);
      let startedAt = 0;
      const answers = parallelBumps(browser, PARALLEL, () => startedAt);
      await gate.allArrived;
      server.signal('SIGSTOP');
      startedAt = Date.now();
      gate.open();
      assertAllUnavailable(await answers);
      server.signal('SIGCONT');
      let back: BrowserResponse | undefined;
      for (let attempt = 0; attempt < 50 && back?.status !== 200; attempt++) back = await browser.post('/bump');
      assert.equal(back?.status, 200, 'the same store serves again once Redis runs');
    } finally {
      server.signal('SIGCONT');
      await http.close();
      redis.disconnect();
    }
  });
});

const pgSkip = await requirePostgres();
const table = runScopedName('tessera_deadline');

describeUnlessSkipped('one deadline per commit, on PostgreSQL with the sessions table locked', pgSkip, () => {
  it(`${PARALLEL} parallel commits of one session: every one answers 503 within about storeTimeout, and all works once the lock goes`, { timeout: 30_000 }, async () => {
    const pool = new pg.Pool({ connectionString: pgUrl(), max: PARALLEL + 2, connectionTimeoutMillis: 2_000 });
    pool.on('error', () => {});
    const locker = new pg.Client({ connectionString: pgUrl() });
    await locker.connect();
    const store = new PostgresStore(pool, { table });
    await store.migrate();
    const gate = new Gate();
    const http = await serve(bumpApp(store, [], gate));
    try {
      const browser = new Browser(http.url);
      gate.expect(1);
      const first = browser.post('/bump');
      await gate.allArrived;
      gate.open();
      assert.equal((await first).status, 200);
      gate.expect(PARALLEL);
      let startedAt = 0;
      const answers = parallelBumps(browser, PARALLEL, () => startedAt);
      await gate.allArrived;
      // Every statement on the table now waits for the lock: the store hangs, as on a stuck server.
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`);
      startedAt = Date.now();
      gate.open();
      assertAllUnavailable(await answers);
      await locker.query('ROLLBACK');
      assert.equal((await browser.post('/bump')).status, 200, 'the same store serves again');
    } finally {
      await locker.query('ROLLBACK').catch(() => {});
      await http.close();
      await pool.query(`DROP TABLE IF EXISTS "${table}"`).catch(() => {});
      await locker.end();
      await pool.end();
    }
  });
});
