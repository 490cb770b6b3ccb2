// tessera-session/express-session with the real ecosystem, over real HTTP: cookies minted by the real
// express-session 1.19 (and the reverse), express-session stores unchanged (memorystore,
// connect-redis 9 with node-redis, connect-pg-simple 10), tessera's own stores as `store`, and
// passport 0.7 with passport-local.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import express from 'express';
import type { Express, NextFunction, Request, Response } from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import pg from 'pg';
import { createConnectPgTable } from '../../test/support/connect-pg-table.js';
import { createClient } from 'redis';
import { MemoryStore as TesseraMemoryStore, hashStoreKey } from '../index.js';
import { SqliteStore } from '../stores/sqlite.js';
import { Browser, serve } from '../../test/support/http.js';
import type { RunningServer } from '../../test/support/http.js';
import { pgUrl, redisUrl, runScopedName } from '../../test/support/services.js';
import { requirePostgres, requireRedis } from '../../test/support/service-probes.js';
import session from './index.js';
import type { SessionOptions, SessionRequest, Store } from './index.js';

// CommonJS packages without their @types (which would pull in @types/express-session).
const require = createRequire(import.meta.url);
type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;
type RealSessionFactory = ((options: object) => Middleware) & { MemoryStore: new () => Store };
const realSession = require('express-session') as RealSessionFactory;
const memorystore = require('memorystore') as (factory: unknown) => new (options: object) => Store & { stopInterval(): void };
const { RedisStore: ConnectRedisStore } = require('connect-redis') as { RedisStore: new (options: object) => Store };
const connectPgSimple = require('connect-pg-simple') as (factory: unknown) => new (options: object) => Store & { close(): Promise<void> };

const SECRET = 'ecosystem secret 0123456789';
const servers: RunningServer[] = [];

async function listen(handler: RequestListener | Express): Promise<Browser> {
  const server = await serve(handler as RequestListener);
  servers.push(server);
  return new Browser(server.url);
}

/** A counting app on `middleware`: GET /count increments, /read reads, /regenerate, /destroy. */
function countingApp(middleware: Middleware): Express {
  const app = express();
  app.use(middleware as express.RequestHandler);
  const sess = (req: Request) => (req as unknown as SessionRequest).session!;
  app.get('/count', (req, res) => {
    sess(req).views = ((sess(req).views as number | undefined) ?? 0) + 1;
    res.json({ views: sess(req).views, id: (req as unknown as SessionRequest).sessionID });
  });
  app.get('/read', (req, res) => res.json({ views: sess(req).views ?? null, id: (req as unknown as SessionRequest).sessionID }));
  app.get('/regenerate', (req, res, next) => {
    sess(req).regenerate((error: unknown) => (error ? next(error) : res.json({ id: (req as unknown as SessionRequest).sessionID })));
  });
  app.get('/destroy', async (req, res, next) => {
    try {
      await sess(req).destroy();
      res.json({ destroyed: true });
    } catch (error) {
      next(error);
    }
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    void _next;
    res.status(500).send(error instanceof Error ? error.message : String(error));
  });
  return app;
}

function ours(options: SessionOptions): Middleware {
  return session({ secret: SECRET, resave: false, saveUninitialized: false, ...options }) as Middleware;
}

/** The life of a session on `store`: create, persist, regenerate (old ID gone), destroy. */
async function sessionLife(store: Store | SessionOptions['store']): Promise<void> {
  const browser = await listen(countingApp(ours({ store, cookie: { maxAge: 60_000 } })));
  const first = JSON.parse((await browser.get('/count')).body) as { views: number; id: string };
  assert.equal(first.views, 1);
  const second = JSON.parse((await browser.get('/count')).body) as { views: number; id: string };
  assert.deepEqual(second, { views: 2, id: first.id });
  const regenerated = JSON.parse((await browser.get('/regenerate')).body) as { id: string };
  assert.notEqual(regenerated.id, first.id);
  const afterRegenerate = JSON.parse((await browser.get('/read')).body) as { views: number | null; id: string };
  assert.equal(afterRegenerate.views, null, 'v1 regenerate drops the data');
  const third = JSON.parse((await browser.get('/count')).body) as { views: number; id: string };
  assert.equal(third.views, 1);
  assert.deepEqual(JSON.parse((await browser.get('/destroy')).body), { destroyed: true });
  const gone = JSON.parse((await browser.get('/read')).body) as { views: number | null };
  assert.equal(gone.views, null);
}

after(async () => {
  for (const server of servers.splice(0)) await server.close();
});

describe('express-session compat: the real express-session 1.19', () => {
  it('a cookie and session minted by express-session are accepted, and ours are accepted by it', async () => {
    const shared = new realSession.MemoryStore();
    const theirs = await listen(countingApp(realSession({ secret: SECRET, resave: false, saveUninitialized: false, store: shared })));
    const mine = await listen(countingApp(ours({ store: shared })));
    const minted = await theirs.get('/count');
    const cookie = minted.setCookie[0]!.split(';')[0]!;
    const read = JSON.parse((await mine.get('/count', { cookie })).body) as { views: number; id: string };
    assert.equal(read.views, 2, 'our middleware reads and updates the real one’s session');
    assert.equal(read.id, (JSON.parse(minted.body) as { id: string }).id);
    const back = JSON.parse((await theirs.get('/read', { cookie })).body) as { views: number };
    assert.equal(back.views, 2, 'the real one sees our write');

    const ourMinted = await mine.get('/count', { cookie: '' });
    const ourCookie = ourMinted.setCookie[0]!.split(';')[0]!;
    const theirRead = JSON.parse((await theirs.get('/count', { cookie: ourCookie })).body) as { views: number; id: string };
    assert.equal(theirRead.views, 2, 'the real one accepts our cookie');
  });

  it('Set-Cookie headers are identical to express-session’s for the same ID and options', async () => {
    const options = { secret: SECRET, resave: false, saveUninitialized: true, genid: () => 'fixed-id', cookie: { maxAge: 3_600_000, sameSite: 'lax', partitioned: true, priority: 'low', domain: '127.0.0.1' } };
    const theirs = await listen(countingApp(realSession(options)));
    const mine = await listen(countingApp(session(options as SessionOptions) as Middleware));
    const strip = (header: string) => header.replace(/Expires=[^;]+/, 'Expires=X');
    const a = (await theirs.get('/read')).setCookie[0]!;
    const b = (await mine.get('/read')).setCookie[0]!;
    assert.equal(strip(b), strip(a));
  });
});

describe('express-session compat: express-session stores, unchanged', () => {
  it('memorystore (built with our Store via Store.call and util.inherits)', async () => {
    const MemoryStore = memorystore(session);
    const store = new MemoryStore({ checkPeriod: 60_000 });
    try {
      await sessionLife(store);
    } finally {
      store.stopInterval();
    }
  });

  describe('connect-redis 9 with node-redis', async () => {
    const skip = await requireRedis();
    const prefix = `tessera_test:${runScopedName('es_compat')}:`;
    let client: ReturnType<typeof createClient>;
    before(async () => {
      if (skip) return;
      client = createClient({ url: redisUrl(), disableOfflineQueue: true });
      client.on('error', () => {});
      await client.connect();
    });
    after(async () => {
      if (skip) return;
      for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) if (keys.length > 0) await client.del(keys);
      await client.quit();
    });
    it('runs a whole session life, with the TTL from cookie.expires', { skip: skip ?? false }, async () => {
      await sessionLife(new ConnectRedisStore({ client, prefix }));
      const browser = await listen(countingApp(ours({ store: new ConnectRedisStore({ client, prefix }), cookie: { maxAge: 60_000 } })));
      const { id } = JSON.parse((await browser.get('/count')).body) as { id: string };
      const ttl = await client.ttl(`${prefix}${id}`);
      assert.ok(ttl > 50 && ttl <= 60, `TTL ${ttl}`);
    });

    it("a session loaded through it is this package's (connect-redis extends the real express-session's Store): promise forms, regenerateKeepsData, destroyClearsCookie", { skip: skip ?? false }, async () => {
      const store = new ConnectRedisStore({ client, prefix });
      const app = express();
      app.use(ours({ store, regenerateKeepsData: true, destroyClearsCookie: true }) as express.RequestHandler);
      const sess = (req: Request) => (req as unknown as SessionRequest).session!;
      app.get('/add', (req, res) => {
        sess(req).cart = [...((sess(req).cart as string[] | undefined) ?? []), 'apple'];
        res.json({ ok: true });
      });
      app.get('/kind', async (req, res) => {
        const saved = sess(req).save();
        res.json({ ours: sess(req) instanceof session.Session, promise: typeof (saved as { then?: unknown }).then === 'function' });
        await saved;
      });
      app.get('/login', async (req, res) => {
        await sess(req).regenerate(); // once a crash: the real package's regenerate(fn) got no callback
        res.json({ cart: sess(req).cart ?? null });
      });
      app.get('/logout', async (req, res) => {
        await sess(req).destroy();
        res.json({ ok: true });
      });
      const browser = await listen(app);
      await browser.get('/add');
      assert.deepEqual(JSON.parse((await browser.get('/kind')).body), { ours: true, promise: true }, 'loaded from the store');
      assert.deepEqual(JSON.parse((await browser.get('/login')).body), { cart: ['apple'] }, 'regenerateKeepsData');
      const logout = await browser.get('/logout');
      assert.match(logout.setCookie[0] ?? '', /^connect\.sid=; .*Expires=Thu, 01 Jan 1970/, 'destroyClearsCookie');
    });
  });

  describe('connect-pg-simple 10 (built on our Store)', async () => {
    const skip = await requirePostgres();
    const table = runScopedName('es_compat');
    let pool: pg.Pool;
    let store: Store & { close(): Promise<void> };
    before(async () => {
      if (skip) return;
      pool = new pg.Pool({ connectionString: pgUrl(), max: 4 });
      await createConnectPgTable(pool, table);
      const PgStore = connectPgSimple(session);
      store = new PgStore({ pool, tableName: table, pruneSessionInterval: false });
    });
    after(async () => {
      if (skip) return;
      await store.close();
      await pool.query(`DROP TABLE IF EXISTS "${table}"`);
      await pool.end();
    });
    it('runs a whole session life', { skip: skip ?? false }, async () => {
      await sessionLife(store);
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "${table}"`);
      assert.equal((rows[0] as { n: number }).n, 0, 'regenerate and destroy deleted both rows');
    });
  });
});

describe('express-session compat: tessera stores as `store`', () => {
  it('a tessera MemoryStore, stored under the hash of the session ID', async () => {
    const store = new TesseraMemoryStore();
    await sessionLife(store);
    const browser = await listen(countingApp(ours({ store })));
    const { id } = JSON.parse((await browser.get('/count')).body) as { id: string };
    assert.equal(await store.get(id), undefined, 'never under the raw ID');
    const stored = JSON.parse((await store.get(hashStoreKey(id)))!) as { views: number };
    assert.equal(stored.views, 1);
  });

  it('a tessera SqliteStore', async () => {
    const db = new Database(':memory:');
    const store = new SqliteStore(db, { table: 'es_compat' });
    await store.migrate();
    try {
      await sessionLife(store);
    } finally {
      await store.close();
      db.close();
    }
  });
});

describe('express-session compat: passport 0.7 with passport-local', () => {
  it('logs in (regenerate + save), keeps req.user on later requests, logs out', async () => {
    const users = new Map([['ada', { id: 'ada', password: 'lovelace' }]]);
    const auth = new passport.Passport();
    auth.use(new LocalStrategy((username, password, done) => {
      const user = users.get(username);
      done(null, user && user.password === password ? user : false);
    }));
    auth.serializeUser((user, done) => done(null, (user as { id: string }).id));
    auth.deserializeUser((id: string, done) => done(null, users.get(id) ?? false));

    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use(session({ secret: SECRET, resave: false, saveUninitialized: false }));
    app.use(auth.session());
    app.post('/login', auth.authenticate('local', { failureRedirect: '/failed' }), (req, res) => {
      res.json({ user: (req.user as { id: string }).id, id: (req as unknown as SessionRequest).sessionID });
    });
    app.get('/me', (req, res) => res.json({ user: (req.user as { id: string } | undefined)?.id ?? null, id: (req as unknown as SessionRequest).sessionID }));
    app.get('/visit', (req, res) => {
      (req as unknown as SessionRequest).session!.visited = true;
      res.json({ id: (req as unknown as SessionRequest).sessionID });
    });
    app.post('/logout', (req, res, next) => req.logout((error) => (error ? next(error) : res.json({ ok: true }))));
    const browser = await listen(app);

    const anonymous = JSON.parse((await browser.get('/visit')).body) as { id: string };
    const form = { headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    const wrong = await browser.post('/login', { ...form, body: 'username=ada&password=nope' });
    assert.equal(wrong.status, 302);
    const login = await browser.post('/login', { ...form, body: 'username=ada&password=lovelace' });
    const loggedIn = JSON.parse(login.body) as { user: string; id: string };
    assert.equal(loggedIn.user, 'ada');
    assert.notEqual(loggedIn.id, anonymous.id, 'login regenerates the session ID (fixation)');
    const me = JSON.parse((await browser.get('/me')).body) as { user: string; id: string };
    assert.deepEqual(me, { user: 'ada', id: loggedIn.id });
    await browser.post('/logout');
    const out = JSON.parse((await browser.get('/me')).body) as { user: string | null; id: string };
    assert.equal(out.user, null);
    // The old, logged-in cookie is dead too.
    const replay = await browser.get('/me', { cookie: `connect.sid=${login.setCookie[0]!.split(';')[0]!.split('=')[1]}` });
    assert.equal((JSON.parse(replay.body) as { user: string | null }).user, null);
  });
});
