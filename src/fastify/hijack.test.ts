import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { MemoryStore, isSessionError } from '../index.js';
import type { SessionError } from '../index.js';
import { FaultyStore } from '../testing/index.js';
import { Browser } from '../../test/support/http.js';
import { saveSession, session } from './index.js';

const SECRET = 'fastify hijack test secret 0123456789abcdef';
const base = { secrets: SECRET, cookie: { name: 'sid', secure: false } } as const;

const apps: FastifyInstance[] = [];
after(async () => {
  for (const app of apps) await app.close();
});

const json = (body: string): Record<string, unknown> => JSON.parse(body) as Record<string, unknown>;

/** An app with /login, /read and the routes of `extra`; failures reported go to `reported`. */
async function start(extra: (app: FastifyInstance) => void, store: MemoryStore | FaultyStore = new MemoryStore()): Promise<{ browser: Browser; reported: SessionError[] }> {
  const reported: SessionError[] = [];
  const app = Fastify({ forceCloseConnections: true });
  await app.register(session, { ...base, store, onError: (error) => reported.push(error) });
  app.get('/login', async (request) => {
    request.session.set('user', 'ada');
    return 'ok';
  });
  app.get('/read', async (request) => request.session.toJSON());
  extra(app);
  apps.push(app);
  return { browser: new Browser(await app.listen({ port: 0, host: '127.0.0.1' })), reported };
}

describe('fastify plugin: reply.hijack() and raw responses', () => {
  it('a hijacked reply skips onSend: a change that needs no new cookie is still stored, after the response', async () => {
    const { browser, reported } = await start((app) => {
      app.get('/events', async (request, reply) => {
        request.session.set('seen', 'events');
        reply.hijack();
        reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
        reply.raw.end('data: hello\n\n');
      });
    });
    await browser.get('/login');
    const res = await browser.get('/events');
    assert.equal(res.body, 'data: hello\n\n');
    assert.deepEqual(res.setCookie, []);
    assert.deepEqual(await browser.get('/read').then((r) => json(r.body)), { user: 'ada', seen: 'events' });
    assert.deepEqual(reported, []);
  });

  it('a hijacked reply that starts a session cannot give it a cookie: nothing is stored and onError says ERR_SESSION_HEADERS_SENT', async () => {
    const { browser, reported } = await start((app) => {
      app.get('/raw-login', async (request, reply) => {
        request.session.set('user', 'eve');
        reply.hijack();
        reply.raw.end('raw');
      });
    });
    const res = await browser.get('/raw-login');
    assert.deepEqual([res.body, res.setCookie], ['raw', []]);
    assert.deepEqual(await browser.get('/read').then((r) => json(r.body)), {});
    assert.deepEqual(reported.map((e) => e.code), ['ERR_SESSION_HEADERS_SENT']);
  });

  it('reply.hijack(), then saveSession, then the head: the cookie goes out with it; a later cookie change throws ERR_SESSION_HEADERS_SENT', async () => {
    const { browser } = await start((app) => {
      app.get('/hijacked-login', async (request, reply) => {
        request.session.set('user', 'grace');
        reply.hijack();
        await saveSession(request, reply);
        reply.raw.writeHead(200, { 'content-type': 'text/plain' });
        let late = 'allowed';
        try {
          request.session.regenerate();
        } catch (error) {
          late = isSessionError(error, 'ERR_SESSION_HEADERS_SENT') ? 'ERR_SESSION_HEADERS_SENT' : String(error);
        }
        request.session.set('note', 'a data change needs no cookie');
        reply.raw.end(late);
      });
    });
    const res = await browser.get('/hijacked-login');
    assert.equal(res.setCookie.length, 1, 'the cookie saveSession put on the raw response');
    assert.equal(res.body, 'ERR_SESSION_HEADERS_SENT');
    assert.deepEqual(await browser.get('/read').then((r) => json(r.body)), { user: 'grace', note: 'a data change needs no cookie' });
  });

  it('saveSession before reply.hijack() puts the cookie on the reply, which a hijacked head never sends: onError says so', async () => {
    const { browser, reported } = await start((app) => {
      app.get('/wrong-order', async (request, reply) => {
        request.session.set('user', 'grace');
        await saveSession(request, reply);
        reply.hijack();
        reply.raw.end('raw');
      });
    });
    assert.deepEqual((await browser.get('/wrong-order')).setCookie, []);
    assert.deepEqual(reported.map((e) => e.code), ['ERR_SESSION_HEADERS_SENT']);
  });

  it('a handler that ends reply.raw itself (no hijack): the change is stored at the end all the same', async () => {
    const { browser } = await start((app) => {
      app.get('/raw', async (request, reply) => {
        request.session.set('raw', true);
        reply.raw.end('ended by hand');
        return reply;
      });
    });
    await browser.get('/login');
    assert.equal((await browser.get('/raw')).body, 'ended by hand');
    assert.deepEqual(await browser.get('/read').then((r) => json(r.body)), { user: 'ada', raw: true });
  });
});

describe('fastify plugin: saveSession', () => {
  it('commits now with the cookie on the reply; what changes afterwards is committed by onSend', async () => {
    const { browser } = await start((app) => {
      app.get('/two-step', async (request, reply) => {
        request.session.set('user', 'ada');
        await saveSession(request, reply);
        request.session.set('step', 2);
        return 'ok';
      });
    });
    const res = await browser.get('/two-step');
    assert.equal(res.setCookie.length, 1);
    assert.deepEqual(await browser.get('/read').then((r) => json(r.body)), { user: 'ada', step: 2 });
  });

  it('rejects with ERR_SESSION_STORE when the store fails, for the handler to answer', async () => {
    const store = new FaultyStore();
    const { browser } = await start((app) => {
      app.get('/save', async (request, reply) => {
        request.session.set('user', 'ada');
        try {
          await saveSession(request, reply);
          return 'saved';
        } catch (error) {
          return reply.code(202).send(isSessionError(error, 'ERR_SESSION_STORE') ? 'later' : String(error));
        }
      });
    }, store);
    store.fault = 'fail-writes';
    const res = await browser.get('/save');
    // The end of the response tries the same write again: a store that is still down answers 503.
    assert.deepEqual([res.status, res.setCookie], [503, []]);
    store.fault = 'none';
    assert.equal((await browser.get('/save')).body, 'saved');
    await store.close();
  });

  it('without the plugin on the route it throws ERR_SESSION_NOT_LOADED', async () => {
    const app = Fastify({ forceCloseConnections: true });
    apps.push(app);
    app.get('/none', async (request, reply) => {
      try {
        await saveSession(request, reply);
        return 'saved';
      } catch (error) {
        return isSessionError(error, 'ERR_SESSION_NOT_LOADED') ? 'not loaded' : String(error);
      }
    });
    assert.equal((await app.inject('/none')).body, 'not loaded');
  });
});
