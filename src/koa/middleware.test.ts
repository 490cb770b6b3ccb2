// The Koa adapter over real HTTP, on Koa 3 and Koa 2: load before later middleware, the commit
// awaited before Koa writes the response, errors thrown downstream, streamed bodies and
// ctx.respond = false.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { MemoryStore, SessionError, createSessionManager } from '../index.js';
import type { Context, ParameterizedContext } from 'koa';
import type { DefaultSessionData, Session, SessionStore, StoreWriteMeta } from '../index.js';
import { Browser } from '../../test/support/http.js';
import { saveSession, session } from './index.js';
import { KOA_VERSIONS, rescue, withApp } from './test-setup.js';

const SECRET = 'koa adapter test secret 0123456789abcdefghij';

// Compile-time: ctx.session is typed by SessionData on every Koa context, not `any`.
type Equals<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
const typedContext: Equals<Context['session'], Session<DefaultSessionData>> = true;
const typedParameterized: Equals<ParameterizedContext<{ user: string }, { extra: number }>['session'], Session<DefaultSessionData>> = true;
void [typedContext, typedParameterized];

/** A MemoryStore whose writes land 40 ms late: a commit that is not awaited shows. */
class SlowWrites implements SessionStore {
  readonly inner = new MemoryStore();
  writesDone = 0;
  get(key: string) {
    return Promise.resolve(this.inner.get(key));
  }
  async #later<T>(write: () => T | Promise<T>): Promise<T> {
    await new Promise((resolve) => setTimeout(resolve, 40));
    const result = await write();
    this.writesDone++;
    return result;
  }
  set(key: string, value: string, expiresAt: number, meta?: StoreWriteMeta) {
    return this.#later(() => this.inner.set(key, value, expiresAt, meta));
  }
  setIf(key: string, value: string, expiresAt: number, previous: string | undefined, meta?: StoreWriteMeta) {
    return this.#later(() => this.inner.setIf(key, value, expiresAt, previous, meta));
  }
  delete(key: string) {
    return this.#later(() => this.inner.delete(key));
  }
}

for (const [name, Koa] of KOA_VERSIONS) {
  describe(`${name}: tessera-session/koa`, () => {
    it('ctx.session is loaded before later middleware; a redirect after login finds the session (the write finished before the response)', async () => {
      const store = new SlowWrites();
      const seen: boolean[] = [];
      await withApp(
        Koa,
        (app) => {
          app.use(session({ secrets: SECRET, store }));
          app.use(async (ctx, next) => {
            seen.push(ctx.session.isNew);
            await next();
          });
          app.use((ctx) => {
            if (ctx.path === '/login') {
              ctx.session.regenerate();
              ctx.session.set('user', 'ada');
              ctx.redirect('/me');
            } else ctx.body = String(ctx.session.get('user') ?? 'anonymous');
          });
        },
        async (browser) => {
          const login = await browser.post('/login');
          assert.equal(login.status, 302);
          assert.equal(store.writesDone, 1, 'the write finished before the client had the response');
          assert.equal(login.headers.get('vary'), 'Cookie');
          assert.equal((await browser.get('/me')).body, 'ada');
          assert.deepEqual(seen, [true, false]);
        },
      );
    });

    it('an error thrown downstream: the session is committed with the error response and its cookie survives Koa’s error handling', async () => {
      const errors: unknown[] = [];
      await withApp(
        Koa,
        (app) => {
          app.on('error', (error: unknown) => errors.push(error));
          app.use(session({ secrets: SECRET, store: new MemoryStore() }));
          app.use(async (ctx) => {
            if (ctx.path === '/forbidden') {
              ctx.session.set('user', 'ada');
              ctx.throw(403, 'no entry');
            }
            if (ctx.path === '/saved-crash') {
              ctx.session.regenerate();
              ctx.session.set('user', 'eve');
              await saveSession(ctx);
              throw new Error('failed after saveSession');
            }
            if (ctx.path === '/crash') {
              ctx.session.regenerate();
              ctx.session.set('user', 'bob');
              throw new Error('the database went away');
            }
            ctx.body = String(ctx.session.get('user') ?? 'anonymous');
          });
        },
        async (browser) => {
          const forbidden = await browser.get('/forbidden');
          assert.deepEqual([forbidden.status, forbidden.body], [403, 'no entry']);
          assert.equal(forbidden.setCookie.length, 1, 'the cookie is in the error response');
          assert.equal(forbidden.headers.get('cache-control'), 'no-store');
          assert.equal((await browser.get('/me')).body, 'ada');
          const before = await browser.cookie('__Host-sid');
          const crash = await browser.get('/crash');
          assert.deepEqual([crash.status, crash.body], [500, 'Internal Server Error']);
          assert.notEqual(await browser.cookie('__Host-sid'), before, 'the regenerated ID reached the client');
          assert.equal((await browser.get('/me')).body, 'bob');
          assert.equal((await browser.get('/me', { cookie: `__Host-sid=${before!}` })).body, 'anonymous', 'the old ID is dead');
          const saved = await browser.get('/saved-crash');
          assert.deepEqual([saved.status, saved.setCookie.length], [500, 1], 'the cookie saveSession set survives the error response');
          assert.equal((await browser.get('/me')).body, 'eve');
          assert.deepEqual(errors.map((e) => (e as Error).message), ['no entry', 'the database went away', 'failed after saveSession'], 'Koa still saw every error');
        },
      );
    });

    it('an error handler upstream that renders the error keeps the session cookie', async () => {
      await withApp(
        Koa,
        (app) => {
          app.use(
            rescue((ctx, error) => {
              ctx.status = 418;
              ctx.body = `handled: ${(error as Error).message}`;
            }),
          );
          app.use(session({ secrets: SECRET, store: new MemoryStore() }));
          app.use((ctx) => {
            if (ctx.path === '/me') ctx.body = String(ctx.session.get('user'));
            else {
              ctx.session.set('user', 'carol');
              throw new Error('oops');
            }
          });
        },
        async (browser) => {
          const res = await browser.get('/fail');
          assert.deepEqual([res.status, res.body, res.setCookie.length], [418, 'handled: oops', 1]);
          assert.equal((await browser.get('/me')).body, 'carol');
        },
      );
    });

    it('a streamed body gets the cookie; data set while it streams is stored; a new cookie then is refused', async () => {
      let regenerateError: unknown;
      await withApp(
        Koa,
        (app) => {
          app.use(session({ secrets: SECRET, store: new MemoryStore() }));
          app.use((ctx) => {
            if (ctx.path === '/read') {
              ctx.body = ctx.session.toJSON();
              return;
            }
            ctx.session.set('before', true);
            const current = ctx.session;
            ctx.body = Readable.from(
              (function* () {
                yield 'one,';
                current.set('during', true);
                try {
                  current.regenerate();
                } catch (error) {
                  regenerateError = error;
                }
                yield 'two';
              })(),
            );
          });
        },
        async (browser) => {
          const res = await browser.get('/stream');
          assert.deepEqual([res.body, res.setCookie.length], ['one,two', 1]);
          assert.ok(regenerateError instanceof SessionError && regenerateError.code === 'ERR_SESSION_HEADERS_SENT', String(regenerateError));
          assert.deepEqual(JSON.parse((await browser.get('/read')).body), { before: true, during: true });
        },
      );
    });

    it('ctx.respond = false: saveSession before writing sends the cookie; headers set before a later write go with it', async () => {
      const reported: SessionError[] = [];
      await withApp(
        Koa,
        (app) => {
          app.use(session({ secrets: SECRET, store: new MemoryStore(), onError: (error) => reported.push(error) }));
          app.use(async (ctx) => {
            ctx.respond = false;
            if (ctx.path === '/saved') {
              ctx.session.set('user', 'dan');
              await saveSession(ctx);
              ctx.res.end('raw');
            } else if (ctx.path === '/later') {
              ctx.session.set('later', true);
              setImmediate(() => ctx.res.end('later'));
            } else if (ctx.path === '/unsaved') {
              ctx.session.set('unsaved', true);
              ctx.res.end('too early');
            } else ctx.res.end(JSON.stringify(ctx.session.toJSON()));
          });
        },
        async (browser, url) => {
          const saved = await browser.get('/saved');
          assert.deepEqual([saved.body, saved.setCookie.length], ['raw', 1]);
          assert.deepEqual(JSON.parse((await browser.get('/read')).body), { user: 'dan' });
          const visitor = new Browser(url);
          const later = await visitor.get('/later');
          assert.deepEqual([later.body, later.setCookie.length], ['later', 1]);
          assert.deepEqual(JSON.parse((await visitor.get('/read')).body), { later: true });
          assert.equal(reported.length, 0, 'nothing reported');
          // A new visitor whose handler wrote the response before any cookie could go: reported, not stored.
          const early = await new Browser(url).get('/unsaved');
          assert.deepEqual([early.body, early.setCookie.length], ['too early', 0]);
          assert.deepEqual(reported.map((e) => e.code), ['ERR_SESSION_HEADERS_SENT']);
        },
      );
    });

    it('Vary keeps what the app set; a manager can be passed in, and mounting it twice loads once', async () => {
      let gets = 0;
      const inner = new MemoryStore();
      const store: SessionStore = {
        get: (key) => {
          gets++;
          return inner.get(key);
        },
        set: (key, value, expiresAt, meta) => inner.set(key, value, expiresAt, meta),
        setIf: (key, value, expiresAt, previous, meta) => inner.setIf(key, value, expiresAt, previous, meta),
        delete: (key) => inner.delete(key),
      };
      const manager = createSessionManager({ secrets: SECRET, store });
      await withApp(
        Koa,
        (app) => {
          app.use(session(manager));
          app.use(session(manager));
          app.use((ctx) => {
            ctx.vary('Accept-Encoding');
            ctx.body = String(ctx.session.update('n', (n) => (typeof n === 'number' ? n : 0) + 1));
          });
        },
        async (browser) => {
          await browser.get('/');
          gets = 0;
          const res = await browser.get('/');
          assert.deepEqual([res.body, gets], ['2', 1]);
          assert.equal(res.headers.get('vary'), 'Cookie, Accept-Encoding');
        },
      );
    });
  });
}
