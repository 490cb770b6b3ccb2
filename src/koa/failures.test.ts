// The Koa adapter's failure answers over real HTTP, on Koa 3 and Koa 2: store failures while
// loading and committing, onStoreError 'throw', a failure that is not the store's, and several
// managers on one app.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { MemoryStore, createSessionManager, isSessionError } from '../index.js';
import type { SessionStore , SessionError} from '../index.js';
import { FaultyStore } from '../testing/index.js';
import { getSession, session } from './index.js';
import { KOA_VERSIONS, rescue, withApp } from './test-setup.js';

const SECRET = 'koa adapter test secret 0123456789abcdefghij';

for (const [name, Koa] of KOA_VERSIONS) {
  describe(`${name}: tessera-session/koa failures`, () => {
    it('a store failing on load (rejecting or throwing at once) answers 503 with Retry-After; later middleware never runs', async () => {
      const inner = new MemoryStore();
      let mode: 'ok' | 'reject' | 'throw' = 'ok';
      const store: SessionStore = {
        get: (key) => {
          if (mode === 'throw') throw new Error('database is locked');
          return mode === 'reject' ? Promise.reject(new Error('connection refused')) : inner.get(key);
        },
        set: (key, value, expiresAt, meta) => inner.set(key, value, expiresAt, meta),
        setIf: (key, value, expiresAt, previous, meta) => inner.setIf(key, value, expiresAt, previous, meta),
        delete: (key) => inner.delete(key),
      };
      const reported: string[] = [];
      let handled = 0;
      await withApp(
        Koa,
        (app) => {
          app.use(session({ secrets: SECRET, store, onError: (error) => reported.push(error.code) }));
          app.use((ctx) => {
            handled++;
            ctx.body = String(ctx.session.update('n', (n) => (typeof n === 'number' ? n : 0) + 1));
          });
        },
        async (browser) => {
          await browser.get('/');
          for (const fault of ['reject', 'throw'] as const) {
            mode = fault;
            const res = await browser.get('/');
            assert.deepEqual([res.status, res.headers.get('retry-after'), res.body, res.setCookie.length], [503, '1', 'Service Unavailable', 0], fault);
          }
          mode = 'ok';
          assert.equal((await browser.get('/')).body, '2', 'the session is intact once the store is back');
          assert.deepEqual([handled, reported], [2, ['ERR_SESSION_STORE', 'ERR_SESSION_STORE']]);
        },
      );
    });

    it('a store failing on commit replaces the prepared answer (a JSON stream, another cookie) with a plain 503', async () => {
      const store = new FaultyStore();
      let streamDestroyed = false;
      await withApp(
        Koa,
        (app) => {
          app.use(session({ secrets: SECRET, store, onError: () => undefined }));
          app.use((ctx) => {
            ctx.session.set('user', 'ada');
            ctx.cookies.set('theme', 'dark', { secure: false });
            ctx.type = 'application/json';
            const body = Readable.from(['{"a":', '1}']);
            body.on('close', () => (streamDestroyed = true));
            ctx.body = body;
          });
        },
        async (browser) => {
          store.fault = 'fail-writes';
          const res = await browser.get('/');
          assert.deepEqual([res.status, res.headers.get('retry-after'), res.body], [503, '1', 'Service Unavailable']);
          assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
          assert.equal(res.headers.get('cache-control'), 'no-store');
          assert.deepEqual(res.setCookie, [], 'no cookie at all with a failure answer');
          assert.ok(streamDestroyed, 'the replaced stream was closed');
        },
      );
      await store.close();
    });

    it('a handler error and then a commit failure: 503, and the handler’s error still reaches app.on("error")', async () => {
      const store = new FaultyStore();
      const appErrors: unknown[] = [];
      const reported: string[] = [];
      await withApp(
        Koa,
        (app) => {
          app.on('error', (error: unknown) => appErrors.push(error));
          app.use(session({ secrets: SECRET, store, onError: (error) => reported.push(error.code) }));
          app.use((ctx) => {
            ctx.session.set('user', 'ada');
            throw new Error('handler failed');
          });
        },
        async (browser) => {
          store.fault = 'fail-writes';
          const res = await browser.get('/');
          assert.deepEqual([res.status, res.headers.get('retry-after'), res.setCookie.length], [503, '1', 0]);
          assert.deepEqual(appErrors.map((e) => (e as Error).message), ['handler failed']);
          assert.deepEqual(reported, ['ERR_SESSION_STORE']);
        },
      );
      await store.close();
    });

    it("onStoreError: 'throw' gives your error handler a SessionError with status 503, and Koa's own handler answers 503 with Retry-After", async () => {
      const store = new FaultyStore();
      const caught: unknown[] = [];
      await withApp(
        Koa,
        (app) => {
          app.use(
            rescue((ctx, error) => {
              caught.push(error);
              if (ctx.path !== '/mine') throw error;
              ctx.status = 299;
              ctx.body = 'my answer';
            }),
          );
          app.use(session({ secrets: SECRET, store, onStoreError: 'throw', onError: () => undefined }));
          app.use((ctx) => {
            ctx.session.update('n', (n) => (typeof n === 'number' ? n : 0) + 1);
            ctx.body = 'ok';
          });
        },
        async (browser) => {
          await browser.get('/');
          for (const fault of ['fail', 'fail-writes'] as const) {
            store.fault = fault;
            const mine = await browser.get('/mine');
            assert.deepEqual([mine.status, mine.body], [299, 'my answer'], fault);
            const koas = await browser.get('/');
            assert.deepEqual([koas.status, koas.headers.get('retry-after'), koas.body, koas.setCookie.length], [503, '1', 'Service Unavailable', 0], fault);
          }
          assert.equal(caught.length, 4);
          for (const error of caught) {
            assert.ok(isSessionError(error, 'ERR_SESSION_STORE'), String(error));
            assert.deepEqual([(error as SessionError & { status: number }).status, (error as { expose?: boolean }).expose], [503, false]);
          }
        },
      );
      await store.close();
    });

    it('a commit failure that is not the store’s answers 500 and reaches onError as ERR_SESSION_INTERNAL', async () => {
      const reported: SessionError[] = [];
      await withApp(
        Koa,
        (app) => {
          app.use(session({ secrets: SECRET, store: new MemoryStore(), onError: (error) => reported.push(error) }));
          app.use((ctx) => {
            ctx.session.set('big', 10n);
            ctx.body = 'ok';
          });
        },
        async (browser) => {
          const res = await browser.get('/');
          assert.deepEqual([res.status, res.headers.get('retry-after'), res.body], [500, null, 'Internal Server Error']);
          assert.deepEqual(reported.map((e) => e.code), ['ERR_SESSION_INTERNAL']);
        },
      );
    });

    it('recordClient: new sessions record the user agent and ctx.ip for listSessions', async () => {
      const manager = createSessionManager({ secrets: SECRET, store: new MemoryStore() });
      await withApp(
        Koa,
        (app) => {
          app.use(session(manager, { recordClient: true }));
          app.use(async (ctx) => {
            ctx.session.set('userId', 'ada');
            ctx.body = await manager.listSessions('ada', ctx.session);
          });
        },
        async (browser) => {
          await browser.get('/', { headers: { 'user-agent': 'koa-test-agent' } });
          const [info] = JSON.parse((await browser.get('/')).body) as Array<{ userAgent?: string; ip?: string; current: boolean }>;
          assert.deepEqual([info?.userAgent, info?.ip, info?.current], ['koa-test-agent', '127.0.0.1', true]);
        },
      );
    });

    it('two managers with different cookie names on one app: ctx.session is the first, getSession(ctx, manager) the other', async () => {
      const admin = createSessionManager({ secrets: SECRET, store: new MemoryStore(), cookie: { name: '__Host-admin' } });
      await withApp(
        Koa,
        (app) => {
          app.use(session({ secrets: SECRET, store: new MemoryStore() }));
          app.use(session(admin));
          app.use((ctx) => {
            ctx.session.set('user', 'ada');
            getSession(ctx, admin).set('role', 'root');
            ctx.body = `${String(getSession(ctx).get('user'))} ${String(getSession(ctx, admin).get('role'))}`;
          });
        },
        async (browser) => {
          const res = await browser.get('/');
          assert.equal(res.body, 'ada root');
          assert.deepEqual(res.setCookie.map((c) => c.split('=')[0]).sort(), ['__Host-admin', '__Host-sid']);
        },
      );
    });
  });
}
