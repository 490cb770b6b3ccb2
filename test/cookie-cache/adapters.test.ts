// The cookie cache through the other adapters (Fastify, Koa over real HTTP; the Fetch adapter with
// Web Requests): each applies the headers after run(), so the cache cookie carries the record.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import Koa from 'koa';
import { MemoryStore, createSessionManager } from '../../src/core/index.js';
import type { SessionManager } from '../../src/core/index.js';
import { session as fastifySession } from '../../src/fastify/index.js';
import { withSession } from '../../src/fetch/index.js';
import { session as koaSession } from '../../src/koa/index.js';
import { Browser, serve } from '../support/http.js';
import { RecordingStore } from '../support/recording-store.js';

const SECRET = 'cookie-cache-adapter-secret-0123456789abcd';
const CACHE = '__Host-sid-cache';
const setup = (): { store: RecordingStore; manager: SessionManager } => {
  const store = new RecordingStore(new MemoryStore());
  return { store, manager: createSessionManager({ secrets: SECRET, store, cookieCache: { maxAge: 30 } }) };
};

/** Login, two reads, a write, a read: the store calls of the reads and the write. */
async function exercise(b: Browser, store: RecordingStore): Promise<void> {
  await b.post('/login');
  assert.ok(await b.cookie(CACHE), 'the login sets a cache cookie');
  store.reset();
  assert.equal((await b.get('/me')).body, 'ada');
  assert.equal((await b.get('/me')).body, 'ada');
  assert.deepEqual(store.calls.map((c) => c.op), [], 'reads hit the cache');
  await b.post('/rename');
  assert.deepEqual(store.calls.map((c) => c.op), ['setIf']);
  store.reset();
  assert.equal((await b.get('/me')).body, 'grace');
  assert.deepEqual(store.calls.map((c) => c.op), []);
}

describe('cookie cache through the other adapters', () => {
  it('Fastify', async () => {
    const { store, manager } = setup();
    const app = Fastify();
    await app.register(fastifySession, { manager });
    app.post('/login', async (request) => {
      request.session.regenerate();
      request.session.set('userId', 'ada');
      return 'ok';
    });
    app.post('/rename', async (request) => (request.session.set('userId', 'grace'), 'ok'));
    app.get('/me', async (request) => String(request.session.get('userId')));
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      await exercise(new Browser(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`), store);
    } finally {
      await app.close();
    }
  });

  it('Koa', async () => {
    const { store, manager } = setup();
    const app = new Koa();
    app.use(koaSession(manager));
    app.use(async (ctx) => {
      if (ctx.path === '/login') {
        ctx.session.regenerate();
        ctx.session.set('userId', 'ada');
      } else if (ctx.path === '/rename') ctx.session.set('userId', 'grace');
      ctx.body = String(ctx.session.get('userId'));
    });
    const server = await serve(app.callback());
    try {
      await exercise(new Browser(server.url), store);
    } finally {
      await server.close();
    }
  });

  it('Fetch', async () => {
    const { store, manager } = setup();
    const handler = withSession(manager, async (request, session) => {
      const path = new URL(request.url).pathname;
      if (path === '/login') {
        session.regenerate();
        session.set('userId', 'ada');
      } else if (path === '/rename') session.set('userId', 'grace');
      return new Response(String(session.get('userId')));
    });
    const server = await serve(async (req, res) => {
      const response = await handler(new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers: req.headers as Record<string, string> }));
      res.writeHead(response.status, [...response.headers.entries()].filter(([n]) => n !== 'set-cookie').concat(response.headers.getSetCookie().map((c) => ['set-cookie', c])).flat());
      res.end(await response.text());
    });
    try {
      await exercise(new Browser(server.url), store);
    } finally {
      await server.close();
    }
  });
});
