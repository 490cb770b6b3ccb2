import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import express from 'express';
import { MemoryStore, SessionError } from '../index.js';
import type { SessionStore } from '../index.js';
import { Browser, serve } from '../../test/support/http.js';
import { SECRET } from '../../test/support/fixture-app.js';
import { getSession, saveSession, session } from './index.js';
import type { ExpressSessionOptions } from './index.js';

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
