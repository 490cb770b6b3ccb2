import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import express from 'express';
import { MemoryStore, SessionError } from '../index.js';
import type { SessionStore } from '../index.js';
import { Browser, serve } from '../../test/support/http.js';
import { SECRET, fixtureApp } from '../../test/support/fixture-app.js';
import { withFixture } from '../../test/support/express-setup.js';
import { session } from './index.js';

describe('express middleware: store failures', () => {
  it('a failing store on load answers 503 with Retry-After, never an anonymous page', async () => {
    await withFixture({}, async ({ store }, server) => {
      const browser = new Browser(server.url);
      await browser.post('/login');
      store.failWith = new Error('connection refused');
      const res = await browser.get('/read');
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '1');
      assert.equal(res.body, 'Service Unavailable');
      assert.doesNotMatch(res.body, /connection refused/);
      store.failWith = undefined;
      assert.equal(JSON.parse((await browser.get('/read')).body).user, 'alice', 'recovers when the store does');
    });
  });

  it('a store whose synchronous read throws answers 503 too, and the server keeps serving', async () => {
    const memory = new MemoryStore();
    let failing = false;
    const store: SessionStore = {
      get: (key) => {
        if (failing) throw new Error('database is locked');
        return memory.get(key);
      },
      set: (key, value, expiresAt, meta) => memory.set(key, value, expiresAt, meta),
      setIf: (key, value, expiresAt, previous, meta) => memory.setIf(key, value, expiresAt, previous, meta),
      delete: (key) => memory.delete(key),
    };
    const app = express();
    app.use(session({ secrets: SECRET, store, cookie: { secure: false }, onError: () => {} }));
    app.get('/login', (req, res) => {
      req.session.set('user', 'alice');
      res.send('ok');
    });
    app.get('/read', (req, res) => {
      res.send(String(req.session.get('user') ?? 'anonymous'));
    });
    const server = await serve(app);
    try {
      const browser = new Browser(server.url);
      await browser.get('/login');
      assert.equal((await browser.get('/read')).body, 'alice');
      failing = true;
      const res = await browser.get('/read');
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '1');
      failing = false;
      assert.equal((await browser.get('/read')).body, 'alice');
    } finally {
      await server.close();
    }
  });

  it('a failing store on commit answers 503 and sets no cookie', async () => {
    await withFixture({}, async ({ store }, server) => {
      store.failWith = new Error('disk full');
      const res = await new Browser(server.url).get('/count');
      assert.equal(res.status, 503);
      assert.deepEqual(res.setCookie, []);
    });
  });

  it("onStoreError: 'next' passes a SessionError to the error handler", async () => {
    const fixture = fixtureApp({ onStoreError: 'next' });
    let seen: unknown;
    fixture.app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      seen = error;
      res.status(500).send('handled');
    });
    const server = await serve(fixture.app);
    try {
      const browser = new Browser(server.url);
      await browser.post('/login');
      fixture.store.failWith = new Error('boom');
      const res = await browser.get('/read');
      assert.equal(res.body, 'handled');
      assert.ok(seen instanceof SessionError && seen.code === 'ERR_SESSION_STORE');
    } finally {
      await server.close();
    }
  });

  it('a commit failure that is not the store\'s reaches onError as ERR_SESSION_INTERNAL with its cause, and answers 500', async () => {
    const reported: SessionError[] = [];
    const app = express();
    app.use(session({ secrets: SECRET, cookie: { secure: false }, onError: (error) => reported.push(error) }));
    app.get('/bigint', (req, res) => {
      req.session.set('n', 10n as unknown as string);
      res.send('ok');
    });
    const server = await serve(app);
    try {
      const res = await new Browser(server.url).get('/bigint');
      assert.equal(res.status, 500);
      assert.deepEqual(res.setCookie, []);
      assert.equal(reported.length, 1);
      assert.equal(reported[0]!.code, 'ERR_SESSION_INTERNAL');
      assert.ok(reported[0]!.cause instanceof TypeError, 'the encoding failure is kept as the cause');
    } finally {
      await server.close();
    }
  });
});
