// When express-session saves, touches or destroys a session and sends its cookie (saveUninitialized,
// resave, rolling, unset), and how store and serialisation errors reach the application, over real
// HTTP.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SECRET, app, countingStore } from './test-setup.js';
import session, { MemoryStore } from './index.js';

describe('express-session compat: save and cookie decisions', () => {
  it('saveUninitialized: true saves and sets a cookie for an untouched new session', async () => {
    const { store, calls } = countingStore();
    const { browser } = await app({ store, saveUninitialized: true });
    const res = await browser.get('/');
    assert.equal(res.setCookie.length, 1);
    assert.equal(calls.set, 1);
  });

  it('saveUninitialized: false stores nothing and sends no cookie until the session is modified', async () => {
    const { store, calls } = countingStore();
    const { browser } = await app({ store, saveUninitialized: false }, (req, res) => {
      if (req.url === '/login') req.session!.user = 'ada';
      res.end('ok');
    });
    const res = await browser.get('/');
    assert.deepEqual(res.setCookie, []);
    assert.equal(calls.set, 0);
    const login = await browser.get('/login');
    assert.equal(login.setCookie.length, 1);
    assert.equal(calls.set, 1);
  });

  it('resave: false touches instead of re-saving an unmodified session; resave: true saves it', async () => {
    for (const resave of [false, true]) {
      const { store, calls } = countingStore();
      const { browser } = await app({ store, resave });
      await browser.get('/');
      await browser.get('/');
      assert.deepEqual({ set: calls.set, touch: calls.touch }, resave ? { set: 2, touch: 0 } : { set: 1, touch: 1 }, `resave ${resave}`);
    }
  });

  it('rolling sends the cookie on every response; without it an existing session gets none', async () => {
    for (const rolling of [false, true]) {
      const { browser } = await app({ rolling, cookie: { maxAge: 60_000 } });
      await browser.get('/');
      const again = await browser.get('/');
      assert.equal(again.setCookie.length, rolling ? 1 : 0, `rolling ${rolling}`);
    }
  });

  it('an existing session with maxAge gets a fresh cookie when modified; a browser-session cookie is sent once', async () => {
    const withMaxAge = await app({ cookie: { maxAge: 60_000 } }, (req, res) => {
      req.session!.n = ((req.session!.n as number | undefined) ?? 0) + 1;
      res.end(String(req.session!.n));
    });
    await withMaxAge.browser.get('/');
    assert.equal((await withMaxAge.browser.get('/')).setCookie.length, 1);
    const browserSession = await app({}, (req, res) => {
      req.session!.n = ((req.session!.n as number | undefined) ?? 0) + 1;
      res.end(String(req.session!.n));
    });
    await browserSession.browser.get('/');
    const second = await browserSession.browser.get('/');
    assert.equal(second.body, '2');
    assert.equal(second.setCookie.length, 0);
  });

  it('changing only req.session.cookie is not a modification', async () => {
    const { store, calls } = countingStore();
    const { browser } = await app({ store }, (req, res) => {
      req.session!.cookie.httpOnly = false;
      res.end('ok');
    });
    await browser.get('/');
    await browser.get('/');
    assert.equal(calls.set, 1);
  });

  it('the response completes only after the store write, and the body arrives whole', async () => {
    const store = new MemoryStore();
    const originalSet = store.set.bind(store);
    let written = false;
    store.set = (sid, data, callback) => setTimeout(() => {
      written = true;
      originalSet(sid, data, callback);
    }, 50);
    const body = 'x'.repeat(100_000);
    const { browser } = await app({ store }, (req, res) => {
      req.session!.big = true;
      res.setHeader('Content-Length', Buffer.byteLength(body));
      res.end(body);
    });
    const res = await browser.get('/');
    assert.equal(written, true);
    assert.equal(res.body, body);
  });

  it('a store.set error goes to next(err) after the response', async () => {
    const store = new MemoryStore();
    store.set = (_sid, _data, callback) => setImmediate(() => callback!(new Error('boom!')));
    const { browser, errors } = await app({ store }, (req, res) => {
      req.session!.x = 1;
      res.end('sent');
    });
    const res = await browser.get('/');
    assert.equal(res.body, 'sent');
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal((errors[0] as Error).message, 'boom!');
  });

  it('a store.get error goes to next(err); ENOENT counts as not found', async () => {
    const store = new MemoryStore();
    const { browser } = await app({ store, genid: () => 'apple' });
    await browser.get('/');
    store.get = (_sid, callback) => callback(Object.assign(new Error('boom get'), { code: 'EIO' }));
    assert.equal((await browser.get('/')).body, 'boom get');
    store.get = (_sid, callback) => callback(Object.assign(new Error('gone'), { code: 'ENOENT' }));
    const res = await browser.get('/');
    assert.equal(res.status, 200);
  });

  it('a stored session without cookie fails the request with Node’s own TypeError', async () => {
    const store = new MemoryStore();
    const { browser } = await app({ store, genid: () => 'apple' });
    await browser.get('/');
    store.set('apple', { user: 'x' } as never);
    const res = await browser.get('/');
    assert.equal(res.status, 500);
    assert.match(res.body, /Cannot read prop/);
  });

  it('an invalid expires fails with "option expires is invalid", through next(err)', async () => {
    const { browser, errors } = await app({}, (req, res) => {
      req.session!.cookie.expires = new Date(NaN);
      res.end('nope');
    });
    const res = await browser.get('/');
    assert.equal(res.status, 500);
    assert.equal(res.body, 'option expires is invalid');
    assert.deepEqual(res.setCookie, []);
    assert.equal(errors.length, 1);
  });

  it('unset: "destroy" destroys a deleted session; "keep" leaves it', async () => {
    for (const unset of ['destroy', 'keep'] as const) {
      const { store, calls } = countingStore();
      const { browser } = await app({ store, unset }, (req, res) => {
        if (req.url === '/drop') req.session = null;
        res.end('ok');
      });
      await browser.get('/');
      await browser.get('/drop');
      assert.equal(calls.destroy, unset === 'destroy' ? 1 : 0, unset);
    }
  });

  it('a double mount saves once; a second res.end fails as Node fails it (response-end.test.ts compares)', async () => {
    const { store, calls } = countingStore();
    const inner = session({ secret: SECRET, store, resave: false, saveUninitialized: true });
    const failures: unknown[] = [];
    const { browser } = await app({ store }, (req, res) => {
      inner(req, res, () => {
        res.on('error', (error: NodeJS.ErrnoException) => failures.push(error.code));
        res.end('one');
        res.end('two');
      });
    });
    const res = await browser.get('/');
    assert.equal(res.body, 'one');
    assert.equal(calls.set, 1);
    for (let turns = 0; failures.length === 0 && turns < 1000; turns++) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(failures, ['ERR_STREAM_WRITE_AFTER_END']);
  });

  it('a disconnected store leaves req.session undefined until it reconnects', async () => {
    const store = new MemoryStore();
    const { browser } = await app({ store }, (req, res) => res.end(String(req.session === undefined)));
    store.emit('disconnect');
    assert.equal((await browser.get('/')).body, 'true');
    store.emit('connect');
    assert.equal((await browser.get('/')).body, 'false');
  });
});
