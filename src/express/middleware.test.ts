import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { MemoryStore, createSessionManager, hashStoreKey } from '../index.js';
import { Browser, serve } from '../../test/support/http.js';
import type { RunningServer } from '../../test/support/http.js';
import { OLD_SECRET, SECRET } from '../../test/support/fixture-app.js';
import { NAME, idFrom, withFixture } from '../../test/support/express-setup.js';
import { getSession, session } from './index.js';

describe('express middleware: commit rules', () => {
  it('a new session that was never written stores nothing and sends no cookie', async () => {
    await withFixture({}, async ({ store }, server) => {
      const res = await new Browser(server.url).get('/read');
      assert.equal(res.status, 200);
      assert.deepEqual(res.setCookie, []);
      assert.deepEqual(store.writes(), []);
      assert.equal(res.headers.get('vary'), 'Cookie');
    });
  });

  it('a modified new session is written before the response completes and gets a cookie', async () => {
    await withFixture({}, async ({ store }, server) => {
      const browser = new Browser(server.url);
      const res = await browser.get('/count');
      assert.equal(JSON.parse(res.body).views, 1);
      assert.equal(res.setCookie.length, 1);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.deepEqual(store.writes().map((c) => c.op), ['set']);
      const again = await browser.get('/count');
      assert.equal(JSON.parse(again.body).views, 2);
    });
  });

  it('an existing unchanged session writes nothing and sends no cookie', async () => {
    await withFixture({}, async ({ store }, server) => {
      const browser = new Browser(server.url);
      await browser.get('/count');
      store.reset();
      const res = await browser.get('/read');
      assert.equal(JSON.parse(res.body).views, 1);
      assert.deepEqual(res.setCookie, []);
      assert.deepEqual(store.writes(), []);
      assert.equal(res.headers.get('cache-control'), null);
    });
  });

  it('a modified existing session is written with compare-and-set and keeps its cookie', async () => {
    await withFixture({}, async ({ store }, server) => {
      const browser = new Browser(server.url);
      await browser.get('/count');
      store.reset();
      const res = await browser.get('/count');
      assert.deepEqual(res.setCookie, []);
      assert.deepEqual(store.writes().map((c) => c.op), ['setIf']);
    });
  });

  it('SM-17 regenerate gives a new ID, keeps the data and deletes the old record', async () => {
    await withFixture({}, async ({ store, memory }, server) => {
      const browser = new Browser(server.url);
      const first = await browser.get('/count');
      const oldId = idFrom(first.setCookie[0]!);
      store.reset();
      const login = await browser.post('/login');
      assert.equal(login.status, 303);
      const newId = idFrom(login.setCookie[0]!);
      assert.notEqual(newId, oldId);
      assert.equal(await memory.get(hashStoreKey(oldId)), undefined);
      assert.ok(await memory.get(hashStoreKey(newId)));
      const page = JSON.parse((await browser.get('/read')).body);
      assert.deepEqual(page, { views: 1, user: 'alice', isNew: false });
    });
  });

  it('SM-18 replaying the pre-login cookie gives an anonymous session', async () => {
    await withFixture({}, async (_f, server) => {
      const browser = new Browser(server.url);
      const first = await browser.get('/count');
      const planted = first.setCookie[0]!.split(';')[0]!;
      await browser.post('/login');
      const replay = await browser.get('/read', { cookie: planted });
      assert.deepEqual(JSON.parse(replay.body), { views: null, user: null, isNew: true });
    });
  });

  it('SM-28 destroy deletes the record and sends a clearing cookie; replay is anonymous', async () => {
    await withFixture({}, async ({ memory }, server) => {
      const browser = new Browser(server.url);
      const login = await browser.post('/login');
      const cookie = login.setCookie[0]!.split(';')[0]!;
      const id = idFrom(login.setCookie[0]!);
      const logout = await browser.post('/logout');
      assert.equal(logout.setCookie.length, 1);
      assert.match(logout.setCookie[0]!, /^__Host-sid=; Path=\/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax$/);
      assert.equal(logout.headers.get('cache-control'), 'no-store');
      assert.equal(await memory.get(hashStoreKey(id)), undefined);
      assert.equal(await browser.cookie(NAME), undefined);
      const replay = await browser.get('/read', { cookie });
      assert.equal(JSON.parse(replay.body).user, null);
    });
  });

  it('a cookie verified by an older key is re-issued with the current key', async () => {
    const memory = new MemoryStore();
    const oldManager = createSessionManager({ secrets: OLD_SECRET, store: memory });
    const rotated = createSessionManager({ secrets: [SECRET, OLD_SECRET], store: memory });
    const current = createSessionManager({ secrets: SECRET, store: memory });
    const s = await oldManager.load(undefined);
    s.set('userId', 'bob');
    const { setCookie } = await oldManager.commit(s);
    const oldCookie = setCookie[0]!.split(';')[0]!;
    const app = express();
    app.use(session(rotated));
    app.get('/', (req, res) => res.json({ user: req.session.get('userId') ?? null }));
    const server = await serve(app);
    try {
      const browser = new Browser(server.url);
      const res = await browser.get('/', { cookie: oldCookie });
      assert.equal(JSON.parse(res.body).user, 'bob');
      assert.equal(res.setCookie.length, 1, 're-issued');
      const reissued = res.setCookie[0]!.split(';')[0]!;
      assert.notEqual(reissued, oldCookie);
      assert.equal(idFrom(res.setCookie[0]!), s.id, 'same session ID');
      const viaCurrent = await current.load(reissued);
      assert.equal(viaCurrent.get('userId'), 'bob');
      const viaRemoved = await current.load(oldCookie);
      assert.equal(viaRemoved.isNew, true, 'once the old key is removed, its cookies are rejected');
    } finally {
      await server.close();
    }
  });
});

describe('express middleware: expiry', () => {
  it('SM-23 idle timeout: alive just before, anonymous and deleted just after', async () => {
    await withFixture({ idleTimeout: 600, touchAfter: 60 }, async ({ clock, memory, events }, server) => {
      const browser = new Browser(server.url);
      const login = await browser.post('/login');
      const id = idFrom(login.setCookie[0]!);
      clock.advance(599);
      assert.equal(JSON.parse((await browser.get('/read')).body).user, 'alice');
      // That read refreshed the idle deadline (touch due): 599 s more is still fine.
      clock.advance(599);
      assert.equal(JSON.parse((await browser.get('/read')).body).user, 'alice');
      clock.advance(601);
      const expired = await browser.get('/read');
      assert.equal(JSON.parse(expired.body).user, null);
      assert.match(expired.setCookie[0] ?? '', /Max-Age=0/, 'SM-27 the expired cookie is cleared');
      // The memory store expires the record on the same clock, so the manager sees it gone or expired.
      assert.ok(events.some((e) => e.type === 'expired' || e.type === 'unknown_id'));
      assert.equal(memory.size, 0, 'the expired record was deleted');
      assert.equal(await memory.get(hashStoreKey(id)), undefined);
    });
  });

  it('SM-24 absolute timeout ends an active session', async () => {
    await withFixture({ lifetime: 3600, idleTimeout: 600, touchAfter: 60 }, async ({ clock }, server) => {
      const browser = new Browser(server.url);
      await browser.post('/login');
      for (let i = 0; i < 11; i++) {
        clock.advance(300);
        assert.equal(JSON.parse((await browser.get('/read')).body).user, 'alice', `still alive at ${(i + 1) * 300}s`);
      }
      clock.advance(301);
      assert.equal(JSON.parse((await browser.get('/read')).body).user, null);
    });
  });

  it('touchAfter limits idle refreshes to one write per interval', async () => {
    await withFixture({ idleTimeout: 1800, touchAfter: 60 }, async ({ clock, store }, server) => {
      const browser = new Browser(server.url);
      await browser.post('/login');
      store.reset();
      for (let i = 0; i < 10; i++) {
        clock.advance(5);
        await browser.get('/read');
      }
      assert.equal(store.writes().length, 0, 'no write within 50 s');
      clock.advance(15);
      await browser.get('/read');
      assert.equal(store.writes().length, 1, 'one refresh once 60 s passed');
      await browser.get('/read');
      assert.equal(store.writes().length, 1);
    });
  });
});

describe('express middleware: several managers', () => {
  let server: RunningServer;
  before(async () => {
    const app = express();
    const admin = createSessionManager({ secrets: SECRET, cookie: { name: '__Host-admin' } });
    app.use(session({ secrets: SECRET }));
    app.use(session(admin));
    app.get('/', (req, res) => {
      req.session.set('a', 1);
      getSession(req, admin).set('b', 2);
      res.send('ok');
    });
    server = await serve(app);
  });
  after(() => server.close());

  it('two managers with different cookie names coexist on one request', async () => {
    const res = await new Browser(server.url).get('/');
    assert.deepEqual(res.setCookie.map((c) => c.split('=')[0]).sort(), ['__Host-admin', '__Host-sid']);
  });
});
