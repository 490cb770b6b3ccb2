import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { MemoryStore, SessionError, createSessionManager, hashStoreKey } from '../index.js';
import type { SessionStore } from '../index.js';
import { Browser, serve } from '../../test/support/http.js';
import type { RunningServer } from '../../test/support/http.js';
import { OLD_SECRET, SECRET, fixtureApp } from '../../test/support/fixture-app.js';
import type { Fixture } from '../../test/support/fixture-app.js';
import { getSession, saveSession, session } from './index.js';
import type { ExpressSessionOptions } from './index.js';

const NAME = '__Host-sid';

async function withFixture(options: Parameters<typeof fixtureApp>[0], run: (f: Fixture, server: RunningServer) => Promise<void>) {
  const fixture = fixtureApp(options);
  const server = await serve(fixture.app);
  try {
    await run(fixture, server);
  } finally {
    await server.close();
  }
}

function idFrom(setCookie: string): string {
  const value = setCookie.split(';')[0]!.split('=')[1]!;
  return value.split('.')[0]!;
}

describe('express middleware: commit rules', () => {
  it('a new session that was never written stores nothing and sends no cookie', async () => {
    await withFixture({}, async ({ store }, server) => {
      const res = await new Browser(server.url).get('/read');
      assert.equal(res.status, 200);
      assert.deepEqual(res.setCookie, []);
      assert.deepEqual(store.writes(), []);
      assert.equal(res.headers.get('vary'), 'Cookie');
    });
  });

  it('a modified new session is written before the response completes and gets a cookie', async () => {
    await withFixture({}, async ({ store }, server) => {
      const browser = new Browser(server.url);
      const res = await browser.get('/count');
      assert.equal(JSON.parse(res.body).views, 1);
      assert.equal(res.setCookie.length, 1);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.deepEqual(store.writes().map((c) => c.op), ['set']);
      const again = await browser.get('/count');
      assert.equal(JSON.parse(again.body).views, 2);
    });
  });

  it('an existing unchanged session writes nothing and sends no cookie', async () => {
    await withFixture({}, async ({ store }, server) => {
      const browser = new Browser(server.url);
      await browser.get('/count');
      store.reset();
      const res = await browser.get('/read');
      assert.equal(JSON.parse(res.body).views, 1);
      assert.deepEqual(res.setCookie, []);
      assert.deepEqual(store.writes(), []);
      assert.equal(res.headers.get('cache-control'), null);
    });
  });

  it('a modified existing session is written with compare-and-set and keeps its cookie', async () => {
    await withFixture({}, async ({ store }, server) => {
      const browser = new Browser(server.url);
      await browser.get('/count');
      store.reset();
      const res = await browser.get('/count');
      assert.deepEqual(res.setCookie, []);
      assert.deepEqual(store.writes().map((c) => c.op), ['setIf']);
    });
  });

  it('SM-17 regenerate gives a new ID, keeps the data and deletes the old record', async () => {
    await withFixture({}, async ({ store, memory }, server) => {
      const browser = new Browser(server.url);
      const first = await browser.get('/count');
      const oldId = idFrom(first.setCookie[0]!);
      store.reset();
      const login = await browser.post('/login');
      assert.equal(login.status, 303);
      const newId = idFrom(login.setCookie[0]!);
      assert.notEqual(newId, oldId);
      assert.equal(await memory.get(hashStoreKey(oldId)), undefined);
      assert.ok(await memory.get(hashStoreKey(newId)));
      const page = JSON.parse((await browser.get('/read')).body);
      assert.deepEqual(page, { views: 1, user: 'alice', isNew: false });
    });
  });

  it('SM-18 replaying the pre-login cookie gives an anonymous session', async () => {
    await withFixture({}, async (_f, server) => {
      const browser = new Browser(server.url);
      const first = await browser.get('/count');
      const planted = first.setCookie[0]!.split(';')[0]!;
      await browser.post('/login');
      const replay = await browser.get('/read', { cookie: planted });
      assert.deepEqual(JSON.parse(replay.body), { views: null, user: null, isNew: true });
    });
  });

  it('SM-28 destroy deletes the record and sends a clearing cookie; replay is anonymous', async () => {
    await withFixture({}, async ({ memory }, server) => {
      const browser = new Browser(server.url);
      const login = await browser.post('/login');
      const cookie = login.setCookie[0]!.split(';')[0]!;
      const id = idFrom(login.setCookie[0]!);
      const logout = await browser.post('/logout');
      assert.equal(logout.setCookie.length, 1);
      assert.match(logout.setCookie[0]!, /^__Host-sid=; Path=\/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax$/);
      assert.equal(logout.headers.get('cache-control'), 'no-store');
      assert.equal(await memory.get(hashStoreKey(id)), undefined);
      assert.equal(await browser.cookie(NAME), undefined);
      const replay = await browser.get('/read', { cookie });
      assert.equal(JSON.parse(replay.body).user, null);
    });
  });

  it('a cookie verified by an older key is re-issued with the current key', async () => {
    const memory = new MemoryStore();
    const oldManager = createSessionManager({ secrets: OLD_SECRET, store: memory });
    const rotated = createSessionManager({ secrets: [SECRET, OLD_SECRET], store: memory });
    const current = createSessionManager({ secrets: SECRET, store: memory });
    const s = await oldManager.load(undefined);
    s.set('userId', 'bob');
    const { setCookie } = await oldManager.commit(s);
    const oldCookie = setCookie[0]!.split(';')[0]!;
    const app = express();
    app.use(session(rotated));
    app.get('/', (req, res) => res.json({ user: req.session.get('userId') ?? null }));
    const server = await serve(app);
    try {
      const browser = new Browser(server.url);
      const res = await browser.get('/', { cookie: oldCookie });
      assert.equal(JSON.parse(res.body).user, 'bob');
      assert.equal(res.setCookie.length, 1, 're-issued');
      const reissued = res.setCookie[0]!.split(';')[0]!;
      assert.notEqual(reissued, oldCookie);
      assert.equal(idFrom(res.setCookie[0]!), s.id, 'same session ID');
      const viaCurrent = await current.load(reissued);
      assert.equal(viaCurrent.get('userId'), 'bob');
      const viaRemoved = await current.load(oldCookie);
      assert.equal(viaRemoved.isNew, true, 'once the old key is removed, its cookies are rejected');
    } finally {
      await server.close();
    }
  });
});

describe('express middleware: expiry', () => {
  it('SM-23 idle timeout: alive just before, anonymous and deleted just after', async () => {
    await withFixture({ idleTimeout: 600, touchAfter: 60 }, async ({ clock, memory, events }, server) => {
      const browser = new Browser(server.url);
      const login = await browser.post('/login');
      const id = idFrom(login.setCookie[0]!);
      clock.advance(599);
      assert.equal(JSON.parse((await browser.get('/read')).body).user, 'alice');
      // That read refreshed the idle deadline (touch due): 599 s more is still fine.
      clock.advance(599);
      assert.equal(JSON.parse((await browser.get('/read')).body).user, 'alice');
      clock.advance(601);
      const expired = await browser.get('/read');
      assert.equal(JSON.parse(expired.body).user, null);
      assert.match(expired.setCookie[0] ?? '', /Max-Age=0/, 'SM-27 the expired cookie is cleared');
      // The memory store expires the record on the same clock, so the manager sees it gone or expired.
      assert.ok(events.some((e) => e.type === 'expired' || e.type === 'unknown_id'));
      assert.equal(memory.size, 0, 'the expired record was deleted');
      assert.equal(await memory.get(hashStoreKey(id)), undefined);
    });
  });

  it('SM-24 absolute timeout ends an active session', async () => {
    await withFixture({ lifetime: 3600, idleTimeout: 600, touchAfter: 60 }, async ({ clock }, server) => {
      const browser = new Browser(server.url);
      await browser.post('/login');
      for (let i = 0; i < 11; i++) {
        clock.advance(300);
        assert.equal(JSON.parse((await browser.get('/read')).body).user, 'alice', `still alive at ${(i + 1) * 300}s`);
      }
      clock.advance(301);
      assert.equal(JSON.parse((await browser.get('/read')).body).user, null);
    });
  });

  it('touchAfter limits idle refreshes to one write per interval', async () => {
    await withFixture({ idleTimeout: 1800, touchAfter: 60 }, async ({ clock, store }, server) => {
      const browser = new Browser(server.url);
      await browser.post('/login');
      store.reset();
      for (let i = 0; i < 10; i++) {
        clock.advance(5);
        await browser.get('/read');
      }
      assert.equal(store.writes().length, 0, 'no write within 50 s');
      clock.advance(15);
      await browser.get('/read');
      assert.equal(store.writes().length, 1, 'one refresh once 60 s passed');
      await browser.get('/read');
      assert.equal(store.writes().length, 1);
    });
  });
});

describe('express middleware: bad cookies (strict mode)', () => {
  it('SM-07 a well-signed but unknown ID is never adopted and causes no store write under it', async () => {
    const manager = createSessionManager({ secrets: SECRET, store: new MemoryStore() });
    const foreign = await manager.load(undefined);
    foreign.set('x', 1);
    const { setCookie } = await manager.commit(foreign);
    const plantedValue = setCookie[0]!.split(';')[0]!;
    await withFixture({}, async ({ store, events }, server) => {
      const res = await new Browser(server.url).get('/count', { cookie: plantedValue });
      const issued = idFrom(res.setCookie.find((c) => !c.includes('Max-Age=0'))!);
      assert.notEqual(issued, foreign.id);
      assert.ok(store.writes().every((c) => c.key !== hashStoreKey(foreign.id)));
      assert.ok(events.some((e) => e.type === 'unknown_id'));
    });
  });

  it('forged, tampered and garbled cookies give a fresh session and never reach the store', async () => {
    await withFixture({}, async ({ store, events }, server) => {
      const browser = new Browser(server.url);
      const real = (await browser.get('/count')).setCookie[0]!.split(';')[0]!.split('=')[1]!;
      store.reset();
      const forged = [
        `${real.slice(0, -1)}${real.endsWith('A') ? 'B' : 'A'}`,
        `${real}x`,
        real.slice(0, 50),
        `${'A'.repeat(43)}.${'A'.repeat(43)}`,
        'garbage',
        `${real.split('.')[0]}`,
        '%00%0d%0a',
        "' OR 1=1 --",
      ];
      for (const value of forged) {
        const res = await browser.get('/read', { cookie: `${NAME}=${value}` });
        assert.equal(JSON.parse(res.body).views, null, value);
      }
      assert.deepEqual(store.calls, [], 'SM-08 the store was never called with a bad ID');
      assert.ok(events.filter((e) => e.type === 'invalid_cookie').length >= forged.length - 1);
    });
  });

  it('SM-20 two valid session cookies (cookie tossing): neither is used, both are cleared', async () => {
    await withFixture({}, async ({ events }, server) => {
      const victim = new Browser(server.url);
      const attacker = new Browser(server.url);
      const v = (await victim.post('/login')).setCookie[0]!.split(';')[0]!;
      const a = (await attacker.get('/count')).setCookie[0]!.split(';')[0]!;
      for (const cookie of [`${a}; ${v}`, `${v}; ${a}`]) {
        const res = await victim.get('/read', { cookie });
        assert.deepEqual(JSON.parse(res.body), { views: null, user: null, isNew: true });
        assert.match(res.setCookie[0] ?? '', /^__Host-sid=; .*Max-Age=0/);
      }
      assert.equal(events.filter((e) => e.type === 'duplicate_cookie').length, 2);
      // One valid cookie next to garbage under the same name is used: garbage cannot log anyone out.
      const res = await victim.get('/read', { cookie: `${NAME}=junk; ${v}` });
      assert.equal(JSON.parse(res.body).user, 'alice');
    });
  });

  it('SM-06 a session ID in the query string or another header is never loaded', async () => {
    await withFixture({}, async (_f, server) => {
      const browser = new Browser(server.url);
      const value = (await browser.post('/login')).setCookie[0]!.split(';')[0]!.split('=')[1]!;
      const stranger = new Browser(server.url);
      for (const res of [
        await stranger.get(`/read?sid=${value}&${NAME}=${value}`),
        await stranger.get('/read', { headers: { authorization: `Bearer ${value}`, 'x-session-id': value } }),
      ]) {
        assert.equal(JSON.parse(res.body).user, null);
      }
    });
  });

  it('prefix spoofing and prototype names never load a session', async () => {
    await withFixture({}, async (_f, server) => {
      const browser = new Browser(server.url);
      const value = (await browser.post('/login')).setCookie[0]!.split(';')[0]!.split('=')[1]!;
      for (const cookie of [`__%48ost-sid=${value}`, `=__Host-sid=${value}`, `\u2000__Host-sid=${value}`, `__host-sid=${value}`, `$Version=1, __Host-sid=${value}`]) {
        const res = await browser.get('/read', { cookie: Buffer.from(cookie, 'utf8').toString('latin1') });
        assert.equal(JSON.parse(res.body).user, null, cookie);
      }
      const ok = await browser.get('/read', { cookie: `__proto__=1; constructor=2; hasOwnProperty=3; toString=4; ${NAME}=${value}` });
      assert.equal(JSON.parse(ok.body).user, 'alice');
    });
  });
});

describe('express middleware: cookie attributes', () => {
  it('SM-10 SM-11 SM-12 SM-14 SM-15 defaults: HttpOnly; Secure; SameSite=Lax; Path=/; no Domain; no Max-Age', async () => {
    await withFixture({}, async (_f, server) => {
      const res = await new Browser(server.url).get('/count');
      assert.match(res.setCookie[0]!, /^__Host-sid=[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    });
  });

  it('SM-16 remember me: Max-Age and Expires agree, capped at 400 days', async () => {
    await withFixture({ lifetime: 500 * 24 * 3600, idleTimeout: Infinity }, async ({ clock }, server) => {
      const res = await new Browser(server.url).post('/login?remember=1');
      const header = res.setCookie[0]!;
      const maxAge = Number(/Max-Age=(\d+)/.exec(header)![1]);
      assert.equal(maxAge, 400 * 24 * 3600);
      const expires = Date.parse(/Expires=([^;]+)/.exec(header)![1]!);
      assert.ok(Math.abs(expires - (clock.now() + maxAge * 1000)) <= 1000);
    });
  });

  it('Partitioned and Priority are emitted when configured', async () => {
    await withFixture({ cookie: { partitioned: true, priority: 'high', sameSite: 'none' } }, async (_f, server) => {
      const res = await new Browser(server.url).get('/count');
      assert.match(res.setCookie[0]!, /; Secure; SameSite=None; Partitioned; Priority=High$/);
    });
  });
});

describe('express middleware: responses', () => {
  it('res.redirect after login: the next request finds the session', async () => {
    await withFixture({}, async (_f, server) => {
      const browser = new Browser(server.url);
      for (let i = 0; i < 20; i++) {
        const login = await browser.post('/login');
        assert.equal(login.status, 303);
        assert.equal(JSON.parse((await browser.get(login.headers.get('location')!)).body).user, 'alice');
      }
    });
  });

  it('streams: the cookie goes with the headers and data set after them is still stored', async () => {
    await withFixture({}, async ({ memory }, server) => {
      const browser = new Browser(server.url);
      const res = await browser.get('/stream');
      assert.equal(res.body, 'ab');
      assert.equal(res.setCookie.length, 1);
      const id = idFrom(res.setCookie[0]!);
      const stored = JSON.parse((await memory.get(hashStoreKey(id)))!);
      assert.deepEqual(stored.d, { streamed: true, late: 'after headers' });
    });
  });

  it('writeHead before end, a double end, sendFile and saveSession all work', async () => {
    await withFixture({}, async ({ memory }, server) => {
      const wh = await new Browser(server.url).get('/write-head-then-end');
      assert.equal(wh.status, 204);
      assert.equal(wh.setCookie.length, 1);
      assert.ok(await memory.get(hashStoreKey(idFrom(wh.setCookie[0]!))));

      const de = await new Browser(server.url).get('/double-end');
      assert.equal(de.body, 'once');
      assert.equal(de.setCookie.length, 1);

      const sf = await new Browser(server.url).get('/send-file');
      assert.equal(sf.status, 200);
      assert.match(sf.body, /export function fixtureApp/);
      assert.ok(await memory.get(hashStoreKey(idFrom(sf.setCookie[0]!))));

      const ss = await new Browser(server.url).get('/save-then-stream');
      assert.equal(ss.body, 'chunk');
      assert.equal(ss.setCookie.length, 1);
      assert.equal(ss.headers.get('cache-control'), 'no-store');
      const stored = JSON.parse((await memory.get(hashStoreKey(idFrom(ss.setCookie[0]!))))!);
      assert.equal(stored.d.early, 'saved');
    });
  });

  it('works on a plain node:http server with getSession and saveSession', async () => {
    const handle = session({ secrets: SECRET });
    const server = createServer((req, res) => {
      handle(req, res, async () => {
        const s = getSession(req);
        s.update('n', (n) => ((n as number | undefined) ?? 0) + 1);
        await saveSession(req);
        res.end(String(s.get('n')));
      });
    });
    const running = await serve((req, res) => server.emit('request', req, res));
    try {
      const browser = new Browser(running.url);
      assert.equal((await browser.get('/')).body, '1');
      assert.equal((await browser.get('/')).body, '2');
    } finally {
      await running.close();
    }
  });
});

describe('express middleware: store failures', () => {
  it('a failing store on load answers 503 with Retry-After, never an anonymous page', async () => {
    await withFixture({}, async ({ store }, server) => {
      const browser = new Browser(server.url);
      await browser.post('/login');
      store.failWith = new Error('connection refused');
      const res = await browser.get('/read');
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '1');
      assert.equal(res.body, 'Service Unavailable');
      assert.doesNotMatch(res.body, /connection refused/);
      store.failWith = undefined;
      assert.equal(JSON.parse((await browser.get('/read')).body).user, 'alice', 'recovers when the store does');
    });
  });

  it('a store whose synchronous read throws answers 503 too, and the server keeps serving', async () => {
    const memory = new MemoryStore();
    let failing = false;
    const store: SessionStore = {
      get: (key) => {
        if (failing) throw new Error('database is locked');
        return memory.get(key);
      },
      set: (key, value, expiresAt, meta) => memory.set(key, value, expiresAt, meta),
      setIf: (key, value, expiresAt, previous, meta) => memory.setIf(key, value, expiresAt, previous, meta),
      delete: (key) => memory.delete(key),
    };
    const app = express();
    app.use(session({ secrets: SECRET, store, cookie: { secure: false }, onError: () => {} }));
    app.get('/login', (req, res) => {
      req.session.set('user', 'alice');
      res.send('ok');
    });
    app.get('/read', (req, res) => {
      res.send(String(req.session.get('user') ?? 'anonymous'));
    });
    const server = await serve(app);
    try {
      const browser = new Browser(server.url);
      await browser.get('/login');
      assert.equal((await browser.get('/read')).body, 'alice');
      failing = true;
      const res = await browser.get('/read');
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '1');
      failing = false;
      assert.equal((await browser.get('/read')).body, 'alice');
    } finally {
      await server.close();
    }
  });

  it('a failing store on commit answers 503 and sets no cookie', async () => {
    await withFixture({}, async ({ store }, server) => {
      store.failWith = new Error('disk full');
      const res = await new Browser(server.url).get('/count');
      assert.equal(res.status, 503);
      assert.deepEqual(res.setCookie, []);
    });
  });

  it("onStoreError: 'next' passes a SessionError to the error handler", async () => {
    const fixture = fixtureApp({ onStoreError: 'next' });
    let seen: unknown;
    fixture.app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      seen = error;
      res.status(500).send('handled');
    });
    const server = await serve(fixture.app);
    try {
      const browser = new Browser(server.url);
      await browser.post('/login');
      fixture.store.failWith = new Error('boom');
      const res = await browser.get('/read');
      assert.equal(res.body, 'handled');
      assert.ok(seen instanceof SessionError && seen.code === 'ERR_SESSION_STORE');
    } finally {
      await server.close();
    }
  });
});

describe('express middleware: several managers', () => {
  let server: RunningServer;
  before(async () => {
    const app = express();
    const admin = createSessionManager({ secrets: SECRET, cookie: { name: '__Host-admin' } });
    app.use(session({ secrets: SECRET }));
    app.use(session(admin));
    app.get('/', (req, res) => {
      req.session.set('a', 1);
      getSession(req, admin).set('b', 2);
      res.send('ok');
    });
    server = await serve(app);
  });
  after(() => server.close());

  it('two managers with different cookie names coexist on one request', async () => {
    const res = await new Browser(server.url).get('/');
    assert.deepEqual(res.setCookie.map((c) => c.split('=')[0]).sort(), ['__Host-admin', '__Host-sid']);
  });
});

describe('express middleware: response hooks among other middleware', () => {
  async function withApp(build: (app: express.Express) => void, run: (browser: Browser) => Promise<void>, options: Partial<ExpressSessionOptions> = {}): Promise<void> {
    const app = express();
    app.use(session({ secrets: SECRET, store: new MemoryStore(), cookie: { secure: false }, onError: () => {}, ...options } as ExpressSessionOptions));
    app.get('/login', (req, res) => {
      req.session.set('user', 'alice');
      req.session.set('cart', { items: ['a'] });
      res.send('ok');
    });
    app.get('/read', (req, res) => {
      res.send(String(req.session.get('user')));
    });
    build(app);
    const server = await serve(app);
    try {
      await run(new Browser(server.url));
    } finally {
      await server.close();
    }
  }

  it("a change made inside a later middleware's end wrapper is committed", async () => {
    await withApp(
      (app) => {
        app.use((req, res, next) => {
          const end = res.end;
          res.end = function (this: express.Response, ...args: unknown[]) {
            req.session.set('lastPath', req.path);
            return (end as (...a: unknown[]) => express.Response).apply(this, args);
          } as express.Response['end'];
          next();
        });
        app.get('/page', (_req, res) => {
          res.send('page');
        });
        app.get('/last', (req, res) => {
          res.send(String(req.session.get('lastPath')));
        });
      },
      async (browser) => {
        await browser.get('/login');
        await browser.get('/page');
        assert.equal((await browser.get('/last')).body, '/page');
      },
    );
  });

  it("a new visitor's session started inside a later writeHead wrapper of a streamed response gets its cookie", async () => {
    await withApp(
      (app) => {
        app.get('/stream', (req, res) => {
          const writeHead = res.writeHead;
          res.writeHead = function (this: express.Response, ...args: unknown[]) {
            req.session.set('user', 'streamer');
            return (writeHead as (...a: unknown[]) => express.Response).apply(this, args);
          } as express.Response['writeHead'];
          res.write('part 1 ');
          res.end('part 2');
        });
      },
      async (browser) => {
        const streamed = await browser.get('/stream');
        assert.equal(streamed.body, 'part 1 part 2');
        assert.equal(streamed.setCookie.length, 1);
        assert.equal((await browser.get('/read')).body, 'streamer');
      },
    );
  });

  it('getSession and saveSession still find the session when other code replaced req.session', async () => {
    await withApp(
      (app) => {
        app.get('/other', async (req, res) => {
          const own = req.session;
          (req as { session: unknown }).session = { fromAnotherLibrary: true };
          getSession(req).set('user', 'bob');
          await saveSession(req);
          res.send(String(own.get('user')));
        });
      },
      async (browser) => {
        await browser.get('/login');
        assert.equal((await browser.get('/other')).body, 'bob');
        assert.equal((await browser.get('/read')).body, 'bob');
      },
    );
  });

  it('a store that returns another library’s promises (thenables) works with storeTimeout 0', async () => {
    const memory = new MemoryStore();
    const thenable = <T>(value: Promise<T>): Promise<T> => ({ then: (ok: (v: T) => unknown, fail: (e: unknown) => unknown) => thenable(value.then(ok as (v: T) => T, fail as (e: unknown) => T)) }) as unknown as Promise<T>;
    const store: SessionStore = {
      get: (key) => thenable(Promise.resolve(memory.get(key))),
      set: (key, value, expiresAt, meta) => thenable(memory.set(key, value, expiresAt, meta)),
      setIf: (key, value, expiresAt, previous, meta) => thenable(memory.setIf(key, value, expiresAt, previous, meta)),
      delete: (key) => thenable(memory.delete(key)),
    };
    await withApp(
      () => {},
      async (browser) => {
        await browser.get('/login');
        const read = await browser.get('/read');
        assert.equal(read.status, 200);
        assert.equal(read.body, 'alice');
      },
      { store, storeTimeout: 0 },
    );
  });

  it('a store subclass that overrides get() is read through its override', async () => {
    let failing = false;
    class FlakyStore extends MemoryStore {
      override get(key: string): string | undefined {
        if (failing) throw new Error('injected failure');
        return super.get(key);
      }
    }
    await withApp(
      () => {},
      async (browser) => {
        await browser.get('/login');
        failing = true;
        assert.equal((await browser.get('/read')).status, 503);
        failing = false;
        assert.equal((await browser.get('/read')).body, 'alice');
      },
      { store: new FlakyStore() },
    );
  });

  it('an object read from the session and changed in place is stored', async () => {
    await withApp(
      (app) => {
        app.get('/add', (req, res) => {
          (req.session.get('cart') as { items: string[] }).items.push('b');
          res.send('ok');
        });
        app.get('/cart', (req, res) => {
          res.send((req.session.get('cart') as { items: string[] }).items.join(','));
        });
      },
      async (browser) => {
        await browser.get('/login');
        await browser.get('/add');
        assert.equal((await browser.get('/cart')).body, 'a,b');
      },
    );
  });

  it('a change after the headers left still stores data, and a change needing a new cookie fails with ERR_SESSION_HEADERS_SENT', async () => {
    let regenerateError: unknown;
    await withApp(
      (app) => {
        app.get('/stream', (req, res) => {
          res.write('streaming ');
          req.session.set('user', 'carol');
          try {
            req.session.regenerate();
          } catch (error) {
            regenerateError = error;
          }
          res.end('done');
        });
      },
      async (browser) => {
        await browser.get('/login');
        const streamed = await browser.get('/stream');
        assert.equal(streamed.body, 'streaming done');
        assert.deepEqual(streamed.setCookie, []);
        assert.ok(regenerateError instanceof SessionError && regenerateError.code === 'ERR_SESSION_HEADERS_SENT', String(regenerateError));
        assert.equal((await browser.get('/read')).body, 'carol');
      },
    );
  });

  it('sealed mode: a read sends no cookie; a change re-seals it', async () => {
    await withApp(
      (app) => {
        app.get('/change', (req, res) => {
          req.session.set('user', 'bob');
          res.send('ok');
        });
      },
      async (browser) => {
        await browser.get('/login');
        const read = await browser.get('/read');
        assert.equal(read.body, 'alice');
        assert.deepEqual(read.setCookie, []);
        assert.equal((await browser.get('/change')).setCookie.length, 1);
        assert.equal((await browser.get('/read')).body, 'bob');
      },
      { mode: 'cookie', store: undefined } as Partial<ExpressSessionOptions>,
    );
  });
});
