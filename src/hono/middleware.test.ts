// The Hono middleware over real HTTP on @hono/node-server: typing, mounting, errors of handlers,
// onStoreError, immutable responses, Hono's own cookies and streaming helpers.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { streamText } from 'hono/streaming';
import { MemoryStore, createSessionManager, isSessionError } from '../index.js';
import type { DefaultSessionData, Session } from '../index.js';
import { ConformanceClient, FaultyStore } from '../testing/index.js';
import { getSession, session, sessionErrorResponse } from './index.js';
import type { SessionEnv } from './index.js';

const SECRET = 'hono middleware test secret 0123456789 abcdefghij';
const servers: Server[] = [];
after(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function visit(app: { fetch: (request: Request) => Response | Promise<Response> }): Promise<ConformanceClient> {
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server;
  });
  servers.push(server);
  return new ConformanceClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

const sid = (setCookie: readonly string[]): string[] => setCookie.filter((c) => c.startsWith('__Host-sid='));

/** A MemoryStore that counts reads. */
class CountingStore extends MemoryStore {
  reads = 0;
  override get(key: string): string | undefined {
    this.reads++;
    return super.get(key);
  }
}

describe('tessera-session/hono', () => {
  it("c.get('session') is typed by SessionData, or by SessionEnv<T> on a typed app", async () => {
    const manager = createSessionManager<{ visits: number }>({ secrets: SECRET });
    const app = new Hono<SessionEnv<{ visits: number }>>();
    app.use(session(manager));
    app.get('/', (c) => {
      const visits: number = c.get('session').update('visits', (n = 0) => n + 1);
      return c.json({ visits });
    });
    const plain = new Hono();
    plain.use(session({ secrets: SECRET }));
    plain.get('/', (c) => {
      const typed: Session<DefaultSessionData> = c.get('session');
      return c.json({ isNew: typed.isNew, viaVar: c.var.session === typed });
    });
    const visitor = await visit(app);
    await visitor.get('/');
    assert.deepEqual(JSON.parse((await visitor.get('/')).body), { visits: 2 });
    assert.deepEqual(JSON.parse((await (await visit(plain)).get('/')).body), { isNew: true, viaVar: true });
  });

  it('getSession(c) types the session by T, and names the fix on a route the middleware does not serve', async () => {
    const app = new Hono();
    app.use('/app/*', session(createSessionManager<{ items: string[] }>({ secrets: SECRET })));
    app.get('/app/cart', (c) => c.json({ items: getSession<{ items: string[] }>(c).update('items', (items = []) => [...items, 'apple']) }));
    app.get('/public', (c) => {
      try {
        getSession(c);
        return c.text('session');
      } catch (error) {
        return c.text(isSessionError(error, 'ERR_SESSION_NOT_LOADED') ? error.message : String(error));
      }
    });
    const visitor = await visit(app);
    await visitor.get('/app/cart');
    assert.deepEqual(JSON.parse((await visitor.get('/app/cart')).body), { items: ['apple', 'apple'] });
    assert.match((await visitor.get('/public')).body, /no session on this request: mount tessera's session\(\) with app\.use/);
  });

  it('mounted twice on one path, the session is loaded once; mounted on a route, other routes get none', async () => {
    const store = new CountingStore();
    const manager = createSessionManager({ secrets: SECRET, store });
    const app = new Hono();
    const mw = session(manager);
    app.use('/app/*', mw);
    app.use('/app/*', session(manager));
    app.post('/app/login', (c) => {
      c.get('session').set('userId', 'ada');
      return c.text('ok');
    });
    app.get('/app/me', (c) => c.text(String(c.get('session').get('userId'))));
    app.get('/public', (c) => c.text(c.var.session === undefined ? 'no session' : 'session'));
    const visitor = await visit(app);
    await visitor.post('/app/login');
    store.reads = 0;
    const me = await visitor.get('/app/me');
    assert.equal(me.body, 'ada');
    assert.equal(store.reads, 1, 'one store read for two mounts');
    const pub = await visitor.get('/public');
    assert.equal(pub.body, 'no session');
    assert.equal(pub.headers.get('vary'), null);
  });

  it("a handler that throws: app.onError's response is sent, with the session committed as Express does", async () => {
    const app = new Hono();
    app.use(session({ secrets: SECRET }));
    app.get('/boom', (c) => {
      c.get('session').set('tried', true);
      throw new Error('handler failed');
    });
    app.get('/read', (c) => c.json({ tried: c.get('session').get('tried') ?? null }));
    app.onError((error, c) => c.text(`handled: ${error.message}`, 500));
    const visitor = await visit(app);
    const res = await visitor.get('/boom');
    assert.equal(res.status, 500);
    assert.equal(res.body, 'handled: handler failed');
    assert.equal(sid(res.setCookie).length, 1);
    assert.deepEqual(JSON.parse((await visitor.get('/read')).body), { tried: true });
  });

  it("onStoreError: 'throw' hands the SessionError to app.onError; the default answers 503", async () => {
    const store = new FaultyStore();
    const manager = createSessionManager({ secrets: SECRET, store, storeTimeout: 0.3 });
    const app = new Hono();
    const seen: string[] = [];
    app.use('/custom/*', session(manager, { onStoreError: 'throw' }));
    app.use('/default/*', session(manager, { onError: (error) => seen.push(error.code) }));
    app.all('*', (c) => {
      c.var.session.set('seen', true);
      return c.text('ok');
    });
    app.onError((error) => {
      if (isSessionError(error)) {
        seen.push(`onError ${error.code}`);
        return sessionErrorResponse(error);
      }
      return new Response('other', { status: 500 });
    });
    const visitor = await visit(app);
    await visitor.get('/default/x');
    store.fault = 'fail';
    const custom = await visitor.get('/custom/x');
    assert.equal(custom.status, 503);
    const standard = await visitor.get('/default/x');
    assert.equal(standard.status, 503);
    assert.equal(standard.headers.get('retry-after'), '1');
    assert.deepEqual(seen, ['onError ERR_SESSION_STORE', 'ERR_SESSION_STORE']);
  });

  it("Hono's own cookies survive beside the session cookie; a fetch() result (immutable headers) is copied with its status and body", async () => {
    const upstream = new Hono();
    upstream.get('*', (c) => c.text('upstream body', 202));
    const up = await visit(upstream);
    const app = new Hono();
    app.use(session({ secrets: SECRET }));
    app.get('/local', (c) => {
      setCookie(c, 'theme', 'dark');
      c.get('session').set('n', 1);
      return c.text('local');
    });
    app.get('/proxy', async (c) => {
      c.get('session').set('n', 2);
      return fetch(`${up.baseUrl}/`);
    });
    const visitor = await visit(app);
    const local = await visitor.get('/local');
    assert.deepEqual(local.setCookie.map((c) => c.split('=')[0]).sort(), ['__Host-sid', 'theme']);
    const proxied = await new ConformanceClient(visitor.baseUrl).get('/proxy');
    assert.equal(proxied.status, 202);
    assert.equal(proxied.body, 'upstream body');
    assert.equal(sid(proxied.setCookie).length, 1);
    assert.match(proxied.headers.get('vary') ?? '', /Cookie/);
  });

  it("a redirect at login and Hono's streamText: the cookie is set, the stream arrives whole", async () => {
    const app = new Hono();
    app.use(session({ secrets: SECRET }));
    app.post('/login', (c) => {
      c.get('session').regenerate();
      c.get('session').set('userId', 'ada');
      return c.redirect('/');
    });
    app.get('/stream', (c) => {
      c.get('session').set('streamed', true);
      return streamText(c, async (stream) => {
        for (const part of ['a', 'b', 'c']) {
          await stream.sleep(10);
          await stream.write(part);
        }
      });
    });
    app.get('/', (c) => c.json(c.get('session').toJSON()));
    const visitor = await visit(app);
    const login = await visitor.post('/login');
    assert.equal(login.status, 302);
    assert.equal(sid(login.setCookie).length, 1);
    const streamed = await visitor.get('/stream');
    assert.equal(streamed.body, 'abc');
    assert.deepEqual(JSON.parse((await visitor.get('/')).body), { userId: 'ada', streamed: true });
  });
});
