import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { MemoryStore, SessionError, createSessionManager, isSessionError } from '../index.js';
import { FaultyStore } from '../testing/index.js';
import type { Browser } from '../../test/support/http.js';
import { RecordingStore } from '../../test/support/recording-store.js';
import { isSessionHttpError, session } from './index.js';
import { fastifyApps } from './test-setup.js';

const SECRET = 'fastify lifecycle test secret 0123456789';
const base = { secrets: SECRET, cookie: { name: 'sid', secure: false } } as const;

const { listen } = fastifyApps();

const json = (body: string): Record<string, unknown> => JSON.parse(body) as Record<string, unknown>;

/** An app with /login, /read, /count and the routes `extra` adds, on `store`. */
async function appWith(store: ConstructorParameters<typeof RecordingStore>[0] | FaultyStore, extra: (app: FastifyInstance) => void, plugin: object = {}): Promise<Browser> {
  const app = Fastify({ forceCloseConnections: true });
  await app.register(session, { ...base, store, onError: () => {}, ...plugin });
  app.get('/login', async (request) => {
    request.session.set('user', 'ada');
    return 'ok';
  });
  app.get('/read', async (request) => ({ user: request.session.get('user') ?? null, data: request.session.toJSON() }));
  app.get('/count', async (request) => ({ count: request.session.update('count', (n) => (typeof n === 'number' ? n : 0) + 1) }));
  extra(app);
  return listen(app);
}

describe('fastify plugin: errors thrown by handlers', () => {
  it('a handler that changes the session and then throws: the error response still commits the change, as with Express', async () => {
    const browser = await appWith(new MemoryStore(), (app) => {
      app.get('/fail', async (request) => {
        request.session.set('before', 'the error');
        throw new Error('boom');
      });
    });
    const res = await browser.get('/fail');
    assert.equal(res.status, 500);
    assert.equal(res.setCookie.length, 1, 'the error response carries the new cookie');
    assert.equal((json((await browser.get('/read')).body).data as Record<string, unknown>).before, 'the error');
  });

  it("with the application's own error handler (a 4xx), too", async () => {
    const browser = await appWith(new MemoryStore(), (app) => {
      app.setErrorHandler(async (error, _request, reply) => reply.code(422).send({ message: (error as Error).message }));
      app.get('/invalid', async (request) => {
        request.session.set('attempts', 1);
        throw new Error('invalid input');
      });
    });
    await browser.get('/login');
    const res = await browser.get('/invalid');
    assert.deepEqual([res.status, json(res.body).message], [422, 'invalid input']);
    assert.equal((json((await browser.get('/read')).body).data as Record<string, unknown>).attempts, 1);
  });
});

describe('fastify plugin: hooks order', () => {
  it('later onRequest and preHandler hooks see the session; an earlier hook that answers first costs no store read', async () => {
    const store = new RecordingStore(new MemoryStore());
    const app = Fastify({ forceCloseConnections: true });
    app.addHook('onRequest', async (request, reply) => {
      if (request.url === '/blocked') return reply.code(401).send('no');
    });
    await app.register(session, { ...base, store });
    const seen: string[] = [];
    app.addHook('onRequest', async (request) => void seen.push(`onRequest:${String(request.session.get('user') ?? null)}`));
    app.addHook('preHandler', async (request) => void seen.push(`preHandler:${String(request.session.get('user') ?? null)}`));
    app.addHook('onSend', async (_request, reply, payload) => {
      seen.push(`onSend after the plugin: ${String(reply.getHeader('set-cookie') !== undefined)}`);
      return payload;
    });
    app.get('/login', async (request) => {
      request.session.set('user', 'ada');
      return 'ok';
    });
    app.get('/blocked', async () => 'never');
    const browser = await listen(app);
    await browser.get('/login');
    assert.deepEqual(seen, ['onRequest:null', 'preHandler:null', 'onSend after the plugin: true'], 'an onSend hook registered after the plugin sees the cookie');
    seen.length = 0;
    await browser.get('/login');
    assert.deepEqual(seen.slice(0, 2), ['onRequest:ada', 'preHandler:ada']);
    store.reset();
    const blocked = await browser.get('/blocked');
    assert.equal(blocked.status, 401);
    assert.deepEqual(store.calls, [], 'no store call for a request answered before the plugin');
    assert.deepEqual(blocked.setCookie, []);
  });

  it("Vary keeps the route's own values; the route's own cookies stay beside the session cookie", async () => {
    const browser = await appWith(new MemoryStore(), (app) => {
      app.get('/own', async (request, reply) => {
        reply.header('vary', 'Accept-Encoding').header('set-cookie', 'theme=dark; Path=/');
        request.session.set('user', 'ada');
        return 'ok';
      });
    });
    const res = await browser.get('/own');
    assert.equal(res.headers.get('vary'), 'Accept-Encoding, Cookie');
    assert.deepEqual(res.setCookie.map((c) => c.split('=')[0]), ['theme', 'sid']);
  });
});

describe('fastify plugin: store failures', () => {
  it('a commit that fails under a streamed payload answers 503, drops every cookie, and destroys the stream', async () => {
    const store = new FaultyStore();
    let stream: Readable | undefined;
    const browser = await appWith(store, (app) => {
      app.get('/stream', async (request, reply) => {
        request.session.set('streamed', true);
        reply.header('set-cookie', 'theme=dark; Path=/').type('text/plain');
        stream = Readable.from(['one', 'two']);
        return stream;
      });
    });
    await browser.get('/login');
    store.fault = 'fail-writes';
    const res = await browser.get('/stream');
    assert.deepEqual([res.status, res.headers.get('retry-after'), res.body, res.setCookie], [503, '1', 'Service Unavailable', []]);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(stream?.destroyed, true, 'the stream that was not sent holds nothing open');
    await store.close();
  });

  it('a commit that fails under a web ReadableStream or a fetch Response cancels its body', async () => {
    const store = new FaultyStore();
    const cancelled: string[] = [];
    const body = (name: string): ReadableStream<Uint8Array> =>
      new ReadableStream({ pull: (controller) => controller.enqueue(new TextEncoder().encode('x')), cancel: () => void cancelled.push(name) });
    const browser = await appWith(store, (app) => {
      app.get('/web', async (request) => {
        request.session.set('web', true);
        return body('web stream');
      });
      app.get('/response', async (request) => {
        request.session.set('response', true);
        return new Response(body('Response body'));
      });
    });
    await browser.get('/login');
    store.fault = 'fail-writes';
    assert.equal((await browser.get('/web')).status, 503);
    assert.equal((await browser.get('/response')).status, 503);
    assert.deepEqual(cancelled, ['web stream', 'Response body']);
    await store.close();
  });

  it("onStoreError: 'error' hands load and commit failures to Fastify's error handler with statusCode 503 and Retry-After", async () => {
    const store = new FaultyStore();
    const handled: Array<[string, number]> = [];
    const browser = await appWith(
      store,
      (app) => {
        app.setErrorHandler(async (error, _request, reply) => {
          // No cast: the guard gives the status and headers. An error of the app's own is not one.
          if (!isSessionHttpError(error)) return reply.code(418).send({ retry: false });
          handled.push([error.code, error.statusCode]);
          // Fastify's default handler applies error.headers; an application's own handler does it itself.
          return reply.code(error.statusCode).headers(error.headers ?? {}).send({ retry: true });
        });
        app.get('/teapot', async () => {
          throw Object.assign(new Error('not a session failure'), { statusCode: 503 });
        });
      },
      { onStoreError: 'error' },
    );
    await browser.get('/login');
    store.fault = 'fail';
    const load = await browser.get('/read');
    assert.deepEqual([load.status, load.headers.get('retry-after'), json(load.body).retry], [503, '1', true]);
    store.fault = 'fail-writes';
    const commit = await browser.get('/count');
    assert.deepEqual([commit.status, commit.headers.get('retry-after'), commit.setCookie], [503, '1', []]);
    assert.deepEqual(handled, [['ERR_SESSION_STORE', 503], ['ERR_SESSION_STORE', 503]]);
    store.fault = 'none';
    assert.equal((await browser.get('/teapot')).status, 418, 'isSessionHttpError: only the session failures');
    await store.close();
  });

  it("onStoreError: 'error' with Fastify's default error handler: 503, Retry-After, the error's code", async () => {
    const store = new FaultyStore();
    const browser = await appWith(store, () => {}, { onStoreError: 'error' });
    await browser.get('/login');
    store.fault = 'fail';
    const res = await browser.get('/read');
    assert.deepEqual([res.status, res.headers.get('retry-after'), json(res.body).code], [503, '1', 'ERR_SESSION_STORE']);
    await store.close();
  });

  it("by default a failure is logged once through request.log: the code, what failed, and the driver's error with its message once", async () => {
    const lines: string[] = [];
    const app = Fastify({ forceCloseConnections: true, logger: { level: 'error', stream: { write: (line: string) => void lines.push(line) } } });
    const memory = new MemoryStore();
    let down = false;
    const store = {
      get: (key: string) => (down ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5999')) : Promise.resolve(memory.get(key))),
      set: memory.set.bind(memory),
      setIf: memory.setIf.bind(memory),
      delete: memory.delete.bind(memory),
    };
    await app.register(session, { ...base, store });
    app.get('/login', async (request) => (request.session.set('user', 'ada'), 'ok'));
    const browser = await listen(app);
    await browser.get('/login');
    down = true;
    assert.equal((await browser.get('/login')).status, 503);
    const logged = lines.map((line) => JSON.parse(line) as { msg: string; code: string; err: { message: string; stack: string } });
    assert.equal(logged.length, 1);
    assert.equal(logged[0]!.code, 'ERR_SESSION_STORE');
    assert.equal(logged[0]!.msg, 'tessera: ERR_SESSION_STORE: session store get failed: connect ECONNREFUSED 127.0.0.1:5999');
    assert.equal(logged[0]!.err.message, 'connect ECONNREFUSED 127.0.0.1:5999');
    assert.match(logged[0]!.err.stack, /ECONNREFUSED/);
  });

  it('onError gets every failure the plugin answers; a throwing onError still answers', async () => {
    const store = new FaultyStore();
    const reported: string[] = [];
    const browser = await appWith(store, () => {}, {
      onError: (error: SessionError) => {
        reported.push(error.code);
        throw new Error('a broken reporter');
      },
    });
    await browser.get('/login');
    store.fault = 'fail';
    assert.equal((await browser.get('/read')).status, 503);
    store.fault = 'fail-writes';
    assert.equal((await browser.get('/count')).status, 503);
    assert.deepEqual(reported, ['ERR_SESSION_STORE', 'ERR_SESSION_STORE']);
    await store.close();
  });

  it('data that cannot be stored is a 500 without Retry-After (ERR_SESSION_INTERNAL), not a 503', async () => {
    const reported: SessionError[] = [];
    const browser = await appWith(new MemoryStore(), (app) => {
      app.get('/bad', async (request) => {
        request.session.set('big', 10n as unknown as string);
        return 'ok';
      });
    }, { onError: (error: SessionError) => reported.push(error) });
    const res = await browser.get('/bad');
    assert.deepEqual([res.status, res.headers.get('retry-after'), res.setCookie], [500, null, []]);
    assert.ok(reported[0] instanceof SessionError && isSessionError(reported[0], 'ERR_SESSION_INTERNAL'), String(reported[0]?.code));
  });
});

describe('fastify plugin: recordClient', () => {
  it("records the user agent and request.ip of new sessions for listSessions", async () => {
    const manager = createSessionManager({ ...base, store: new MemoryStore() });
    const app = Fastify({ forceCloseConnections: true });
    await app.register(session, { manager, recordClient: true });
    app.get('/login', async (request) => {
      request.session.set('userId', 'u1');
      return 'ok';
    });
    app.get('/sessions', async (request) => manager.listSessions('u1', request.session));
    const browser = await listen(app);
    await browser.get('/login', { headers: { 'user-agent': 'test-agent/1.0' } });
    const [info] = json(`{"list":${(await browser.get('/sessions')).body}}`).list as Array<Record<string, unknown>>;
    assert.deepEqual([info?.userAgent, info?.ip, info?.current], ['test-agent/1.0', '127.0.0.1', true]);
  });
});
