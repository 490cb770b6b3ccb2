// The Fetch adapter over real HTTP on Node (node:http through @hono/node-server's bridge): what the
// conformance suite does not cover: immutable Response headers, Vary, a slow stream, a throwing
// handler, the loadSession/commit form, onError, extra handler arguments, recordClient.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { MemoryStore, SessionError, createSessionManager } from '../index.js';
import type { SessionManager } from '../index.js';
import { ConformanceClient, FaultyStore } from '../testing/index.js';
import type { RunningApp } from '../testing/index.js';
import { serveOnNode } from '../../test/support/runtimes.js';
import { loadSession, sessionErrorResponse, withSession } from './index.js';

const SECRET = 'fetch adapter test secret 0123456789 abcdefghij';
const open: RunningApp[] = [];
after(async () => {
  for (const app of open.splice(0)) await app.close();
});

async function serve(handler: (request: Request) => Promise<Response>): Promise<ConformanceClient> {
  const app = await serveOnNode(handler);
  open.push(app);
  return new ConformanceClient(app.url);
}

const sid = (setCookie: readonly string[]): string[] => setCookie.filter((c) => c.startsWith('__Host-sid='));

describe('tessera-session/fetch on Node', () => {
  it('a Response.redirect (immutable headers) after login is copied: 302, Location, the cookie, Vary', async () => {
    const manager = createSessionManager({ secrets: SECRET });
    const visitor = await serve(
      withSession(manager, (request, session) => {
        if (new URL(request.url).pathname === '/login') {
          session.regenerate();
          session.set('userId', 'ada');
          return Response.redirect(new URL('/', request.url), 302);
        }
        return Response.json({ user: session.get('userId') ?? null });
      }),
    );
    const login = await visitor.post('/login');
    assert.equal(login.status, 302);
    assert.equal(new URL(login.headers.get('location')!).pathname, '/');
    assert.equal(sid(login.setCookie).length, 1);
    assert.equal(login.headers.get('vary'), 'Cookie');
    assert.equal(login.headers.get('cache-control'), 'no-store');
    assert.deepEqual(JSON.parse((await visitor.get('/')).body), { user: 'ada' });
  });

  it('a fetch() result (immutable headers) keeps its status, headers and body and gets the cookie', async () => {
    const upstream = createServer((_req, res) => {
      res.writeHead(201, { 'content-type': 'text/plain', 'x-upstream': 'yes', vary: 'Accept-Encoding', 'set-cookie': 'theme=dark; Path=/' }).end('from upstream');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    open.push({ url: '', close: () => new Promise((resolve) => upstream.close(() => resolve())) });
    const port = (upstream.address() as AddressInfo).port;
    const visitor = await serve(
      withSession(createSessionManager({ secrets: SECRET }), async (_request, session) => {
        session.set('proxied', true);
        return fetch(`http://127.0.0.1:${port}/`);
      }),
    );
    const res = await visitor.get('/');
    assert.equal(res.status, 201);
    assert.equal(res.body, 'from upstream');
    assert.equal(res.headers.get('x-upstream'), 'yes');
    assert.equal(res.headers.get('vary'), 'Accept-Encoding, Cookie');
    assert.deepEqual(res.setCookie.map((c) => c.split('=')[0]), ['theme', '__Host-sid']);
  });

  it('Vary: * stays as it is; a Vary naming Cookie is not repeated', async () => {
    const manager = createSessionManager({ secrets: SECRET });
    const visitor = await serve(withSession(manager, (request) => new Response('ok', { headers: { vary: new URL(request.url).searchParams.get('vary')! } })));
    assert.equal((await visitor.get('/?vary=*')).headers.get('vary'), '*');
    assert.equal((await visitor.get('/?vary=Accept,%20cookie')).headers.get('vary'), 'Accept, cookie');
  });

  it('a slow streamed body: the cookie comes with the headers, the whole body follows, the change is stored', async () => {
    const manager = createSessionManager({ secrets: SECRET });
    const visitor = await serve(
      withSession(manager, (request, session) => {
        if (new URL(request.url).pathname === '/read') return Response.json({ parts: session.get('parts') ?? null });
        session.set('parts', 5);
        let sent = 0;
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            await new Promise((resolve) => setTimeout(resolve, 20));
            if (sent === 5) controller.close();
            else controller.enqueue(new TextEncoder().encode(`part${sent++};`));
          },
        });
        return new Response(body, { headers: { 'content-type': 'text/plain' } });
      }),
    );
    const res = await visitor.get('/stream');
    assert.equal(res.body, 'part0;part1;part2;part3;part4;');
    assert.equal(sid(res.setCookie).length, 1);
    assert.deepEqual(JSON.parse((await visitor.get('/read')).body), { parts: 5 });
  });

  it('a store failure at commit: 503 with Retry-After, the stream of the handler cancelled, onError told with the request', async () => {
    const store = new FaultyStore();
    const manager = createSessionManager({ secrets: SECRET, store, storeTimeout: 0.3 });
    const reported: Array<[string, string]> = [];
    let cancelled = false;
    const visitor = await serve(
      withSession(
        manager,
        (_request, session) => {
          session.set('n', 1);
          return new Response(new ReadableStream({ pull: () => undefined, cancel: () => void (cancelled = true) }));
        },
        { onError: (error, request) => reported.push([error.code, new URL(request.url).pathname]) },
      ),
    );
    store.fault = 'fail-writes';
    const res = await visitor.get('/write');
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '1');
    assert.deepEqual(sid(res.setCookie), []);
    assert.deepEqual(reported, [['ERR_SESSION_STORE', '/write']]);
    assert.ok(cancelled, "the handler's body was cancelled");
  });

  it('a handler that throws commits nothing and its error goes on (the server answers 500)', async () => {
    const manager = createSessionManager({ secrets: SECRET });
    const handler = withSession(manager, (request, session) => {
      session.set('userId', 'mallory');
      if (new URL(request.url).pathname === '/boom') throw new Error('handler failed');
      return Response.json({ user: session.get('userId') });
    });
    await assert.rejects(handler(new Request('http://localhost/boom')), /handler failed/);
    const res = await (await serve(handler)).get('/boom');
    assert.equal(res.status, 500);
    assert.deepEqual(sid(res.setCookie), [], 'no session cookie for a failed handler');
  });

  it('loadSession and commit: a failing store rejects the load with ERR_SESSION_STORE, answered by sessionErrorResponse', async () => {
    const store = new FaultyStore();
    const manager: SessionManager = createSessionManager({ secrets: SECRET, store, storeTimeout: 0.3 });
    const visitor = await serve(async (request) => {
      let loaded;
      try {
        loaded = await loadSession(manager, request);
      } catch (error) {
        assert.ok(error instanceof SessionError && error.code === 'ERR_SESSION_STORE');
        return sessionErrorResponse(error);
      }
      loaded.session.update('n', (n) => (typeof n === 'number' ? n : 0) + 1);
      return loaded.commit(Response.json({ n: loaded.session.get('n') }));
    });
    assert.deepEqual(JSON.parse((await visitor.get('/')).body), { n: 1 });
    assert.deepEqual(JSON.parse((await visitor.get('/')).body), { n: 2 });
    store.fault = 'hang';
    const startedAt = Date.now();
    const res = await visitor.get('/');
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '1');
    assert.ok(Date.now() - startedAt < 3000);
    store.fault = 'none';
    assert.deepEqual(JSON.parse((await visitor.get('/')).body), { n: 3 }, 'the session is intact');
  });

  it('extra handler arguments pass through (a Next.js route context), and a non-store failure is a 500', async () => {
    const manager = createSessionManager({ secrets: SECRET });
    const handler = withSession(manager, (_request, session, context: { params: Promise<{ id: string }> }) => {
      session.set('seen', true);
      return context.params.then(({ id }) => Response.json({ id }));
    });
    const res = await handler(new Request('http://localhost/items/7'), { params: Promise.resolve({ id: '7' }) });
    assert.deepEqual(await res.json(), { id: '7' });
    assert.equal(sessionErrorResponse(new SessionError('ERR_SESSION_INTERNAL', 'bug')).status, 500);
    assert.equal(sessionErrorResponse(new SessionError('ERR_SESSION_CONFLICT', 'busy')).status, 503);
  });

  it('recordClient: the User-Agent (or what the function returns) is recorded for listSessions', async () => {
    const store = new MemoryStore();
    const manager = createSessionManager({ secrets: SECRET, store });
    const login = withSession(
      manager,
      async (_request, session) => {
        session.set('userId', 'ada');
        return new Response('ok');
      },
      { recordClient: (request) => ({ userAgent: request.headers.get('user-agent') ?? '', ip: '192.0.2.1' }) },
    );
    await login(new Request('http://localhost/', { headers: { 'user-agent': 'test-agent/1' } }));
    const sessions = await manager.listSessions('ada');
    assert.deepEqual(sessions.map((s) => [s.userAgent, s.ip]), [['test-agent/1', '192.0.2.1']]);
  });

  it('recordClient: a regenerate (login) records the client of that request, not the first visit\'s; other requests keep it', async () => {
    const manager = createSessionManager({ secrets: SECRET, store: new MemoryStore() });
    const handler = withSession(
      manager,
      async (request, session) => {
        const path = new URL(request.url).pathname;
        if (path === '/form') session.set('csrf', 'token');
        if (path === '/login') {
          session.regenerate();
          session.set('userId', 'grace');
        }
        if (path === '/cart') session.set('cart', ['apple']);
        return new Response('ok');
      },
      { recordClient: (request) => ({ userAgent: request.headers.get('user-agent') ?? '' }) },
    );
    const as = async (path: string, agent: string, cookie?: string): Promise<string | undefined> => {
      const headers: Record<string, string> = { 'user-agent': agent };
      if (cookie !== undefined) headers.cookie = cookie;
      const res = await handler(new Request(`http://localhost${path}`, { headers }));
      return res.headers.getSetCookie()[0]?.split(';')[0] ?? cookie;
    };
    const anonymous = await as('/form', 'curl/8');
    const loggedIn = await as('/login', 'Firefox/140', anonymous);
    await as('/cart', 'other-agent/1', loggedIn);
    assert.deepEqual((await manager.listSessions('grace')).map((s) => s.userAgent), ['Firefox/140']);
  });

  it('a manager not made by createSessionManager fails at once', () => {
    assert.throws(() => withSession({ cookieName: 'x', load: () => undefined } as unknown as SessionManager, () => new Response()), /createSessionManager/);
  });
});
