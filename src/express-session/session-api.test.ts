// req.session's methods over real HTTP (callbacks and promises), the opt-in fixes
// (destroyClearsCookie, regenerateKeepsData), the Cookie class and the bounded MemoryStore.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import { Browser, serve } from '../../test/support/http.js';
import type { RunningServer } from '../../test/support/http.js';
import session, { Cookie, MemoryStore, Session } from './index.js';
import type { RequestSession, SessionData, SessionOptions, SessionRequest } from './index.js';

const servers: RunningServer[] = [];
after(async () => {
  for (const server of servers.splice(0)) await server.close();
});

type Route = (req: SessionRequest, res: ServerResponse) => unknown;

async function app(options: SessionOptions, routes: Record<string, Route>) {
  const store = (options.store as MemoryStore | undefined) ?? new MemoryStore();
  const middleware = session({ secret: 'api secret', resave: false, saveUninitialized: false, store, ...options });
  const server = await serve((req: IncomingMessage, res: ServerResponse) => {
    middleware(req, res, (error?: unknown) => {
      const route = routes[req.url ?? '/'];
      if (error || route === undefined) {
        res.statusCode = error ? 500 : 404;
        res.end(error instanceof Error ? error.message : 'none');
        return;
      }
      Promise.resolve(route(req as SessionRequest, res)).catch((thrown: unknown) => {
        res.statusCode = 500;
        res.end(thrown instanceof Error ? thrown.message : String(thrown));
      });
    });
  });
  servers.push(server);
  return { store, browser: new Browser(server.url) };
}

const json = (res: ServerResponse, value: unknown) => res.end(JSON.stringify(value));

describe('express-session compat: req.session methods', () => {
  it('id, sessionID and sessionStore; methods and id are not enumerable', async () => {
    const { browser, store } = await app({}, {
      '/': (req, res) => {
        req.session!.user = 'ada';
        json(res, {
          same: req.session!.id === req.sessionID,
          store: req.sessionStore === store,
          keys: Object.keys(req.session!).sort(),
          session: req.session instanceof Session,
        });
      },
    });
    assert.deepEqual(JSON.parse((await browser.get('/')).body), { same: true, store: true, keys: ['cookie', 'user'], session: true });
  });

  it('save, reload and destroy with promises, and "failed to load session" after a destroy', async () => {
    const { browser } = await app({}, {
      '/save': async (req, res) => {
        req.session!.n = 1;
        const result = req.session!.save();
        assert.ok(result instanceof Promise);
        await result;
        json(res, 'saved');
      },
      '/reload': async (req, res) => {
        req.session!.n = 99;
        await req.session!.reload();
        json(res, req.session!.n);
      },
      '/destroy-then-reload': async (req, res) => {
        const current = req.session!;
        await current.destroy();
        try {
          await current.reload();
          json(res, 'reloaded?');
        } catch (error) {
          json(res, (error as Error).message);
        }
      },
    });
    assert.equal((await browser.get('/save')).body, '"saved"');
    assert.equal((await browser.get('/reload')).body, '1');
    assert.equal((await browser.get('/destroy-then-reload')).body, '"failed to load session"');
  });

  it('callbacks return the session for chaining; touch and resetMaxAge are synchronous', async () => {
    const { browser } = await app({ cookie: { maxAge: 10_000 } }, {
      '/': (req, res) => {
        // Time passing: the remaining lifetime drops while originalMaxAge stays.
        req.session!.cookie._expires = new Date(Date.now() + 5);
        const returned = req.session!.touch();
        const maxAge = req.session!.cookie.maxAge!;
        req.session!.x = 1;
        const chained = req.session!.save((error: unknown) => json(res, { error: error ?? null, chained: chained === req.session, returned: returned === req.session, maxAge: maxAge > 9_000 }));
      },
    });
    assert.deepEqual(JSON.parse((await browser.get('/')).body), { error: null, chained: true, returned: true, maxAge: true });
  });

  it('a rejected promise nobody awaits does not crash the process', async () => {
    const store = new MemoryStore();
    store.set = (_sid, _data, callback) => setImmediate(() => callback?.(new Error('store down')));
    const { browser } = await app({ store }, {
      '/': (req, res) => {
        void req.session!.save();
        res.end('ok');
      },
    });
    let unhandled = false;
    const listener = () => {
      unhandled = true;
    };
    process.on('unhandledRejection', listener);
    await browser.get('/');
    await new Promise((resolve) => setTimeout(resolve, 30));
    process.off('unhandledRejection', listener);
    assert.equal(unhandled, false);
  });

  it('v1 default: regenerate drops the data and destroy keeps the browser cookie', async () => {
    const routes: Record<string, Route> = {
      '/login': (req, res) => {
        req.session!.cart = ['tea'];
        res.end('ok');
      },
      '/regenerate': (req, res) => req.session!.regenerate(() => json(res, req.session!.cart ?? null)),
      '/destroy': (req, res) => req.session!.destroy(() => res.end('bye')),
    };
    const { browser } = await app({}, routes);
    await browser.get('/login');
    assert.equal((await browser.get('/regenerate')).body, 'null');
    await browser.get('/login');
    const destroyed = await browser.get('/destroy');
    assert.deepEqual(destroyed.setCookie, []);
    assert.ok(await browser.cookie('connect.sid'));
  });

  it('regenerateKeepsData: true carries the data to the new ID; destroyClearsCookie: true expires the cookie', async () => {
    const routes: Record<string, Route> = {
      '/login': (req, res) => {
        req.session!.cart = ['tea'];
        res.end(req.sessionID);
      },
      '/regenerate': async (req, res) => {
        const before = req.sessionID;
        await req.session!.regenerate();
        json(res, { cart: req.session!.cart ?? null, changed: before !== req.sessionID });
      },
      '/read': (req, res) => json(res, req.session!.cart ?? null),
      '/destroy': (req, res) => req.session!.destroy(() => res.end('bye')),
    };
    const { browser } = await app({ regenerateKeepsData: true, destroyClearsCookie: true, cookie: { path: '/', sameSite: 'lax' } }, routes);
    await browser.get('/login');
    assert.deepEqual(JSON.parse((await browser.get('/regenerate')).body), { cart: ['tea'], changed: true });
    assert.equal((await browser.get('/read')).body, '["tea"]');
    const destroyed = await browser.get('/destroy');
    assert.match(destroyed.setCookie[0] ?? '', /^connect\.sid=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax$/);
    assert.equal(await browser.cookie('connect.sid'), undefined);
  });
});

describe('express-session compat: Cookie', () => {
  it('has express-session’s defaults and validation', () => {
    const cookie = new Cookie();
    assert.deepEqual({ path: cookie.path, httpOnly: cookie.httpOnly, maxAge: cookie.maxAge, expires: cookie.expires, originalMaxAge: cookie.originalMaxAge }, { path: '/', httpOnly: true, maxAge: null, expires: null, originalMaxAge: null });
    assert.throws(() => new Cookie('nope' as never), /argument options/);
    assert.throws(() => new Cookie({ maxAge: '1000' as never }), /maxAge/);
  });

  it('maxAge reads as time left and sets expires; originalMaxAge keeps the lifetime; data omits maxAge', () => {
    const cookie = new Cookie({ maxAge: 60_000, priority: 'high', partitioned: true });
    assert.ok(cookie.maxAge! > 59_000 && cookie.maxAge! <= 60_000);
    assert.ok(cookie.originalMaxAge! > 59_000 && cookie.originalMaxAge! <= 60_000);
    assert.ok(cookie.expires instanceof Date);
    assert.equal(cookie.data.priority, 'high');
    assert.equal(cookie.data.partitioned, true);
    assert.equal('maxAge' in cookie.data, false);
    assert.equal(JSON.stringify(cookie), JSON.stringify(cookie.data));
    assert.match(cookie.serialize('sid', 'a b'), /^sid=a%20b; Path=\/; Expires=.+; HttpOnly; Partitioned; Priority=High$/);
  });

  it('refuses attribute injection through name, domain and path', () => {
    assert.throws(() => new Cookie().serialize('bad;name', 'v'), /argument name is invalid/);
    assert.throws(() => new Cookie({ domain: 'x.com; Secure' }).serialize('sid', 'v'), /option domain is invalid/);
    assert.throws(() => new Cookie({ path: '/;HttpOnly' }).serialize('sid', 'v'), /option path is invalid/);
    assert.throws(() => new Cookie({ sameSite: 'sometimes' }).serialize('sid', 'v'), /option sameSite is invalid/);
  });
});

describe('express-session compat: MemoryStore', () => {
  const call = <T>(run: (callback: (error?: unknown, value?: T) => void) => void) =>
    new Promise<T | undefined>((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value))));
  const data = (expires: Date | null): SessionData => ({ cookie: { expires, originalMaxAge: null }, n: 1 }) as unknown as SessionData;

  it('all() is an object keyed by ID; expired sessions vanish on read; length counts live ones', async () => {
    const store = new MemoryStore();
    store.set('live', data(new Date(Date.now() + 60_000)));
    store.set('dead', data(new Date(Date.now() - 1)));
    store.set('browser', data(null));
    const all = await call<Record<string, SessionData>>((cb) => store.all(cb));
    assert.deepEqual(Object.keys(all!).sort(), ['browser', 'live']);
    assert.equal(await call<number>((cb) => store.length(cb)), 2);
    assert.equal(await call((cb) => store.get('dead', cb)), undefined);
    await call((cb) => store.clear(cb));
    assert.equal(await call<number>((cb) => store.length(cb)), 0);
  });

  it('is bounded: the least recently used session goes first', async () => {
    const store = new MemoryStore({ maxEntries: 2 });
    store.set('a', data(null));
    store.set('b', data(null));
    await call((cb) => store.get('a', cb));
    store.set('c', data(null));
    assert.equal(await call((cb) => store.get('b', cb)), undefined);
    assert.ok(await call((cb) => store.get('a', cb)));
    assert.ok(await call((cb) => store.get('c', cb)));
  });

  it('load() gives a Session with a Cookie whose expires is a Date again', async () => {
    const store = new MemoryStore();
    const expires = new Date(Date.now() + 60_000);
    store.set('sid', { cookie: { expires, originalMaxAge: 60_000, path: '/', httpOnly: true }, user: 'ada' } as unknown as SessionData);
    const loaded = await call<RequestSession>((cb) => store.load('sid', cb));
    assert.ok(loaded instanceof Session);
    assert.ok(loaded.cookie instanceof Cookie);
    assert.equal(loaded.cookie.expires!.getTime(), expires.getTime());
    assert.equal(loaded.cookie.originalMaxAge, 60_000);
    assert.equal(loaded.user, 'ada');
    assert.equal(loaded.id, 'sid');
  });
});
