import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { MemoryStore, createSessionManager, isSessionError } from '../index.js';
import type { Session as TesseraSession } from '../index.js';
import { getSession, session } from './index.js';
import { fastifyApps } from './test-setup.js';

const SECRET = 'fastify registration test secret 0123456789';
const options = { secrets: SECRET, cookie: { name: 'sid', secure: false } } as const;

declare module 'fastify' {
  interface FastifyRequest {
    /** The second registration's session in these tests. */
    adminSession?: TesseraSession<{ admin?: string }>;
  }
}

const { listen, track } = fastifyApps();

const newApp = (): FastifyInstance => Fastify({ forceCloseConnections: true });

describe('fastify plugin: registration and encapsulation', () => {
  it('registered on the root, it serves every route, those of child plugins included', async () => {
    const app = newApp();
    await app.register(session, options);
    app.get('/count', async (request) => ({ count: request.session.update('count', (n) => (typeof n === 'number' ? n : 0) + 1) }));
    await app.register(async (child) => {
      child.get('/child/read', async (request) => ({ count: request.session.get('count') ?? null }));
    });
    const browser = await listen(app);
    assert.equal(JSON.parse((await browser.get('/count')).body).count, 1);
    assert.equal(JSON.parse((await browser.get('/count')).body).count, 2);
    assert.equal(JSON.parse((await browser.get('/child/read')).body).count, 2);
  });

  it('registered in a child context, it serves that context and its children, not its siblings nor the parent', async () => {
    const app = newApp();
    const store = new MemoryStore();
    let loads = 0;
    const counting = { ...options, store: { get: (key: string) => (loads++, store.get(key)), set: store.set.bind(store), setIf: store.setIf.bind(store), delete: store.delete.bind(store) } };
    await app.register(async (scoped) => {
      await scoped.register(session, counting);
      scoped.get('/scoped/login', async (request) => {
        request.session.set('user', 'ada');
        return { ok: true };
      });
      await scoped.register(async (grandchild) => {
        grandchild.get('/scoped/deeper/read', async (request) => ({ user: request.session.get('user') ?? null }));
      });
    });
    await app.register(async (sibling) => {
      sibling.get('/sibling', async (request) => ({ hasSession: request.session !== undefined && request.session !== null, decorated: sibling.hasRequestDecorator('session') }));
    });
    app.get('/root', async (request) => ({ hasSession: request.session !== undefined && request.session !== null, decorated: app.hasRequestDecorator('session') }));
    const browser = await listen(app);
    assert.equal((await browser.get('/scoped/login')).setCookie.length, 1);
    assert.equal(JSON.parse((await browser.get('/scoped/deeper/read')).body).user, 'ada');
    const loadsBefore = loads;
    for (const path of ['/sibling', '/root']) {
      const res = await browser.get(path);
      assert.deepEqual(JSON.parse(res.body), { hasSession: false, decorated: false }, `${path} has no session`);
      assert.equal(res.headers.get('vary'), null, `${path} does not vary on Cookie`);
      assert.deepEqual(res.setCookie, []);
    }
    assert.equal(loads, loadsBefore, 'no store read for routes outside the context');
  });

  it('takes a manager made with createSessionManager', async () => {
    const manager = createSessionManager(options);
    const app = newApp();
    await app.register(session, { manager });
    app.get('/set', async (request) => {
      request.session.set('via', 'manager');
      return 'ok';
    });
    app.get('/read', async (request) => ({ via: request.session.get('via') ?? null }));
    const browser = await listen(app);
    await browser.get('/set');
    assert.equal(JSON.parse((await browser.get('/read')).body).via, 'manager');
  });

  it('getSession types the session by the manager, and names the fix where the plugin does not serve the route', async () => {
    const manager = createSessionManager<{ items: string[] }>(options);
    const app = newApp();
    await app.register(async (scoped) => {
      await scoped.register(session, { manager, decorator: 'cart' });
      scoped.get('/cart/add', async (request) => ({ items: getSession<{ items: string[] }>(request, 'cart').update('items', (items = []) => [...items, 'apple']) }));
    });
    app.get('/outside', async (request) => {
      try {
        getSession(request);
        return { error: null };
      } catch (error) {
        return { error: isSessionError(error, 'ERR_SESSION_NOT_LOADED') ? (error as Error).message : String(error) };
      }
    });
    app.get('/outside-cart', async (request) => {
      try {
        return getSession(request, 'cart').keys();
      } catch (error) {
        return { error: (error as Error).message };
      }
    });
    const browser = await listen(app);
    await browser.get('/cart/add');
    assert.deepEqual(JSON.parse((await browser.get('/cart/add')).body), { items: ['apple', 'apple'] });
    assert.match(JSON.parse((await browser.get('/outside')).body).error, /no session on request\.session: register the session plugin in this route's context/);
    assert.match(JSON.parse((await browser.get('/outside-cart')).body).error, /request\.cart: register the session plugin with \{ decorator: 'cart' \}/);
  });

  it('bad manager options fail the registration with ERR_SESSION_CONFIG', async () => {
    const app = newApp();
    track(app);
    await assert.rejects(async () => {
      await app.register(session, { secrets: 'too short' });
    }, (error: unknown) => isSessionError(error, 'ERR_SESSION_CONFIG'));
  });

  it('a second registration on the same property in one context (or below it) fails with ERR_SESSION_CONFIG and says what to do', async () => {
    for (const nested of [false, true]) {
      const app = newApp();
      track(app);
      await app.register(session, options);
      const again = nested ? app.register(async (child) => void (await child.register(session, options))) : app.register(session, options);
      await assert.rejects(async () => await again, (error: unknown) => isSessionError(error, 'ERR_SESSION_CONFIG') && /another \{ decorator \}/.test((error as Error).message));
    }
  });

  it('two managers on two properties: each loads and commits its own session and cookie', async () => {
    const app = newApp();
    await app.register(session, options);
    await app.register(session, { secrets: `${SECRET}-admin`, cookie: { name: 'admin', secure: false }, decorator: 'adminSession' });
    app.get('/both', async (request) => {
      request.session.set('user', 'ada');
      request.adminSession!.set('admin', 'root');
      return 'ok';
    });
    app.get('/read', async (request) => ({ user: request.session.get('user') ?? null, admin: request.adminSession!.get('admin') ?? null }));
    app.get('/admin-logout', async (request) => {
      request.adminSession!.destroy();
      return 'ok';
    });
    const browser = await listen(app);
    const both = await browser.get('/both');
    assert.deepEqual(both.setCookie.map((c) => c.split('=')[0]).sort(), ['admin', 'sid']);
    assert.equal(both.headers.get('vary'), 'Cookie', 'Vary names Cookie once');
    assert.deepEqual(JSON.parse((await browser.get('/read')).body), { user: 'ada', admin: 'root' });
    await browser.get('/admin-logout');
    assert.deepEqual(JSON.parse((await browser.get('/read')).body), { user: 'ada', admin: null });
  });

  it('the same manager registered again below on another property gives that property the same session, loaded once', async () => {
    const manager = createSessionManager(options);
    const app = newApp();
    await app.register(session, { manager });
    await app.register(async (child) => {
      await child.register(session, { manager, decorator: 'adminSession' });
      child.get('/same', async (request) => ({ same: (request.adminSession as unknown) === request.session }));
    });
    const browser = await listen(app);
    assert.deepEqual(JSON.parse((await browser.get('/same')).body), { same: true });
  });

  it('has a plugin name other plugins can depend on, and the Fastify versions it serves', async () => {
    const app = newApp();
    track(app);
    await app.register(session, options);
    const dependent = Object.assign(async () => {}, { [Symbol.for('plugin-meta')]: { name: 'needs-session', dependencies: ['tessera-session'] } });
    await app.register(dependent);
    await app.ready();
    assert.equal((session as unknown as Record<symbol, { fastify: string }>)[Symbol.for('plugin-meta')]!.fastify, '5.x');
  });
});
