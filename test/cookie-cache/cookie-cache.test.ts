// The opt-in cookie cache (issue #17), over real HTTP with a real cookie jar: store round trips
// counted by wrapping the store, and the security properties CC-01 ... listed in docs/security.md.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import express from 'express';
import { MemoryStore, createSessionManager, hashStoreKey } from '../../src/core/index.js';
import type { SessionManager, SessionManagerOptions } from '../../src/core/index.js';
import { session } from '../../src/express/index.js';
import { FakeClock } from '../../src/testing/index.js';
import { Browser, serve } from '../support/http.js';
import type { RunningServer } from '../support/http.js';
import { RecordingStore } from '../support/recording-store.js';

const SECRET = 'cookie-cache-test-secret-0123456789abcdef';
const OLD_SECRET = 'cookie-cache-old-secret-0123456789abcdefgh';
const CACHE = '__Host-sid-cache';

interface App {
  server: RunningServer;
  store: RecordingStore;
  inner: MemoryStore;
  clock: FakeClock;
  manager: SessionManager;
  ops(): string[];
}

/** An Express app with the cookie cache on, over a recording store; `ops()` gives the store calls since the last call. */
async function makeApp(options: Partial<SessionManagerOptions> = {}, shared?: { inner: MemoryStore; clock: FakeClock }): Promise<App> {
  const clock = shared?.clock ?? new FakeClock(Date.UTC(2026, 11, 2, 12));
  const inner = shared?.inner ?? new MemoryStore({ clock });
  const store = new RecordingStore(inner);
  const manager = createSessionManager({ secrets: SECRET, store, clock, cookieCache: { maxAge: 30 }, idleTimeout: 3600, touchAfter: 600, ...options });
  const app = express();
  app.use(express.json());
  app.use(session(manager, { onError: () => {} }));
  app.post('/login', (req, res) => {
    req.session.regenerate();
    req.session.set('userId', String(req.query.user ?? 'ada'));
    res.send('ok');
  });
  app.post('/set/:key', async (req, res) => {
    if (req.query.wait !== undefined) await delay(Number(req.query.wait));
    req.session.set(req.params.key, req.query.value ?? true);
    res.send('ok');
  });
  app.post('/blob', (req, res) => {
    req.session.set('blob', 'x'.repeat(5000));
    res.send('ok');
  });
  app.get('/stream', (req, res) => {
    res.write('head ');
    req.session.set('streamed', true);
    res.end('tail');
  });
  app.get('/me', (req, res) => res.json({ user: req.session.get('userId') ?? null, keys: req.session.keys() }));
  app.post('/logout', (req, res) => {
    req.session.destroy();
    res.send('ok');
  });
  app.post('/logout-others', async (req, res) => {
    res.json({ ended: await manager.revokeSessions(req.session.get('userId') as string, { except: req.session }) });
  });
  const server = await serve(app);
  let seen = 0;
  return {
    server,
    store,
    inner,
    clock,
    manager,
    ops() {
      const ops = store.calls.slice(seen).map((c) => c.op);
      seen = store.calls.length;
      return ops;
    },
  };
}

const me = async (b: Browser): Promise<{ user: string | null; keys: string[] }> => JSON.parse((await b.get('/me')).body) as { user: string | null; keys: string[] };
const cacheSet = (setCookie: string[]): string | undefined => setCookie.find((c) => c.startsWith(`${CACHE}=`));
const sidOf = async (b: Browser): Promise<string> => (await b.cookie('__Host-sid'))!.split('.')[0]!;

describe('cookie cache: store round trips (CC-01)', () => {
  let app: App;
  before(async () => (app = await makeApp()));
  after(() => app.server.close());

  it('CC-01 a cache hit does 0 gets, a miss 1, a write 1 (setIf, no get)', async () => {
    const b = new Browser(app.server.url);
    await b.post('/login');
    app.ops();
    assert.ok(await b.cookie(CACHE), 'the login response carries a cache cookie');
    for (let i = 0; i < 3; i++) assert.equal((await me(b)).user, 'ada');
    assert.deepEqual(app.ops(), [], 'three reads from the cache: no store call');
    const write = await b.post('/set/cart?value=3');
    assert.ok(cacheSet(write.setCookie), 'a write re-issues the cache cookie');
    assert.deepEqual(app.ops(), ['setIf'], 'a write from a cached read: one compare-and-set, no get');
    assert.deepEqual((await me(b)).keys.sort(), ['cart', 'userId']);
    assert.deepEqual(app.ops(), [], 'the re-issued cache holds the write');
    app.clock.advance(31);
    const miss = await b.get('/me');
    assert.deepEqual(app.ops(), ['get'], 'past maxAge the cache is refused even though the browser kept it: one get');
    assert.ok(cacheSet(miss.setCookie), 'a miss re-issues the cache without a store write');
    await me(b);
    assert.deepEqual(app.ops(), [], 'and the next read hits again');
  });

  it('CC-01 a cache is re-issued by the idle-refresh touch, and a fresh hit is never re-issued from itself', async () => {
    const b = new Browser(app.server.url);
    await b.post('/login');
    app.ops();
    app.clock.advance(20);
    const hit = await b.get('/me');
    assert.equal(cacheSet(hit.setCookie), undefined, 'a hit does not extend its own life');
    app.clock.advance(15);
    await me(b);
    assert.deepEqual(app.ops(), ['get']);
    // touchAfter 600 s: after it, the read refreshes the record (one setIf) and the cache with it.
    app.clock.advance(600);
    const touched = await b.get('/me');
    assert.deepEqual(app.ops(), ['get', 'setIf']);
    assert.ok(cacheSet(touched.setCookie));
    await me(b);
    assert.deepEqual(app.ops(), []);
  });
});

describe('cookie cache: streamed responses (CC-11)', () => {
  it('CC-11 a response whose headers leave before the handler is done clears the cache: a later change is read from the store', async () => {
    const app = await makeApp();
    try {
      const b = new Browser(app.server.url);
      await b.post('/login');
      const streamed = await b.get('/stream');
      assert.ok(cacheSet(streamed.setCookie)?.includes('Max-Age=0'), 'cleared, not re-issued');
      app.ops();
      assert.deepEqual((await me(b)).keys.sort(), ['streamed', 'userId']);
      assert.deepEqual(app.ops(), ['get']);
    } finally {
      await app.server.close();
    }
  });
});

describe('cookie cache: revocation and destroyed sessions (CC-02 ... CC-04)', () => {
  let app: App;
  beforeEach(async () => (app = await makeApp()));
  afterEach(() => app.server.close());

  it('CC-02 a write from a cached read never re-creates a session deleted meanwhile (setIf on a missing record fails)', async () => {
    const b = new Browser(app.server.url);
    await b.post('/login');
    const key = hashStoreKey(await sidOf(b));
    // Another process revokes the session: the record goes, this process knows nothing of it.
    await app.inner.delete(key);
    app.ops();
    const write = await b.post('/set/cart');
    assert.equal(write.status, 200);
    assert.deepEqual(app.ops(), ['setIf', 'get'], 'the compare-and-set failed, the re-read found nothing');
    assert.equal(app.inner.get(key), undefined, 'the session stays gone');
    assert.ok(cacheSet(write.setCookie)?.includes('Max-Age=0'), 'the cache cookie is cleared');
    assert.equal((await me(b)).user, null, 'the next request is anonymous');
  });

  it('CC-02 a regenerate from a cached read of a deleted session does not bring it back under a new ID', async () => {
    const b = new Browser(app.server.url);
    await b.post('/login');
    await app.inner.delete(hashStoreKey(await sidOf(b)));
    app.ops();
    await b.post('/login?user=mallory');
    // One get finds the old record gone, one more reads its succession marker (was it moved by
    // another regenerate?); nothing is written.
    assert.deepEqual(app.ops(), ['get', 'get'], 'the old record is checked before a create without compare-and-set; nothing is written');
    assert.equal((await me(b)).user, null);
  });

  it('CC-03 revokeSessions ("log out other devices") is honoured at once in this process', async () => {
    const laptop = new Browser(app.server.url);
    const phone = new Browser(app.server.url);
    await laptop.post('/login');
    await phone.post('/login');
    assert.equal((await me(phone)).user, 'ada');
    app.ops();
    assert.equal(JSON.parse((await laptop.post('/logout-others')).body).ended, 1);
    assert.equal((await me(phone)).user, null, "the phone's cache is refused: the store read finds no session");
    assert.equal((await me(laptop)).user, 'ada', 'the device that asked keeps its session');
  });

  it('CC-03 a stolen copy of the cookies is refused after logout in this process (destroy revokes the user\'s caches)', async () => {
    const b = new Browser(app.server.url);
    await b.post('/login');
    const copy = await b.jar.getCookieString(app.server.url);
    const out = await b.post('/logout');
    assert.ok(cacheSet(out.setCookie)?.includes('Max-Age=0'), 'logout clears the cache cookie');
    const thief = await new Browser(app.server.url).get('/me', { cookie: copy });
    assert.equal(JSON.parse(thief.body).user, null);
  });

  it('CC-13 a copy of an ended session served from the cache cannot log the user\'s other devices out', async () => {
    const other = await makeApp({}, { inner: app.inner, clock: app.clock });
    try {
      const laptop = new Browser(app.server.url);
      await laptop.post('/login?user=grace');
      const stolen = await laptop.jar.getCookieString(app.server.url);
      const phone = new Browser(app.server.url);
      await phone.post('/login?user=grace');
      await laptop.post('/logout'); // the laptop's session ends in the store; a copy of its cookies was taken before
      const replay = await new Browser(other.server.url).post('/logout-others', { cookie: stolen });
      assert.equal(replay.status, 500, 'refused with ERR_SESSION_NOT_LOADED');
      assert.equal((await me(phone)).user, 'grace', 'the phone stays logged in');
      assert.equal((await app.manager.listSessions('grace')).length, 1);
      const own = await phone.post('/logout-others');
      assert.deepEqual(JSON.parse(own.body), { ended: 0 }, 'a live session from the cache revokes as before');
    } finally {
      await other.server.close();
    }
  });

  it('CC-04 across processes revocation takes effect within maxAge, or at once with revalidate', async () => {
    const other = await makeApp({}, { inner: app.inner, clock: app.clock });
    const revokedAt = new Map<string, number>();
    const checked = await makeApp({ cookieCache: { maxAge: 30, revalidate: (user, cachedAt) => cachedAt > (revokedAt.get(user) ?? 0) } }, { inner: app.inner, clock: app.clock });
    try {
      const b = new Browser(app.server.url);
      await b.post('/login');
      const cookies = await b.jar.getCookieString(app.server.url);
      // Another process ends every session of the user.
      await other.manager.revokeSessions('ada');
      revokedAt.set('ada', app.clock.now());
      app.clock.advance(1);
      assert.equal(JSON.parse((await b.get('/me')).body).user, 'ada', 'without revalidate this process still reads its cache (the documented window)');
      assert.equal(JSON.parse((await new Browser(checked.server.url).get('/me', { cookie: cookies })).body).user, null, 'revalidate refuses the cache');
      app.clock.advance(30);
      assert.equal((await me(b)).user, null, 'after maxAge the store read finds nothing');
    } finally {
      await other.server.close();
      await checked.server.close();
    }
  });
});

describe('cookie cache: a failing revalidate (CC-04)', () => {
  it('CC-04 a revalidate that throws fails the request closed: no session is read from the cache unchecked', async () => {
    const app = await makeApp({
      cookieCache: {
        maxAge: 30,
        revalidate: () => {
          throw new Error('revocation feed down');
        },
      },
    });
    try {
      const b = new Browser(app.server.url);
      await b.post('/login');
      const res = await b.get('/me');
      assert.equal(res.status, 500);
      assert.doesNotMatch(res.body, /ada/);
    } finally {
      await app.server.close();
    }
  });
});

describe('cookie cache: lost updates (CC-05)', () => {
  it('CC-05 two processes, parallel writes from one cached read: compare-and-set merges, no key lost', async () => {
    const a = await makeApp();
    const b = await makeApp({}, { inner: a.inner, clock: a.clock });
    try {
      const browser = new Browser(a.server.url);
      await browser.post('/login');
      const cookies = await browser.jar.getCookieString(a.server.url);
      a.ops();
      b.ops();
      // Both requests read the same cached record; the slower one meets a changed record.
      const [r1, r2] = await Promise.all([
        new Browser(a.server.url).post('/set/left?wait=5', { cookie: cookies }),
        new Browser(b.server.url).post('/set/right?wait=40', { cookie: cookies }),
      ]);
      assert.deepEqual([r1.status, r2.status], [200, 200]);
      assert.deepEqual(a.ops(), ['setIf']);
      assert.deepEqual(b.ops(), ['setIf', 'get', 'setIf'], 'the second write conflicted, re-read and merged');
      const record = JSON.parse(a.inner.get(hashStoreKey((await browser.cookie('__Host-sid'))!.split('.')[0]!))!) as { d: Record<string, unknown> };
      assert.deepEqual(Object.keys(record.d).sort(), ['left', 'right', 'userId']);
      // The merged write's response carries a cache of what the store holds.
      const fresh = new Browser(a.server.url);
      await fresh.jar.setCookie(cacheSet(r2.setCookie)!, a.server.url);
      await fresh.jar.setCookie(`__Host-sid=${(await browser.cookie('__Host-sid'))!}; Secure; Path=/`, a.server.url);
      a.ops();
      assert.deepEqual((await me(fresh)).keys.sort(), ['left', 'right', 'userId']);
      assert.deepEqual(a.ops(), [], 'read from the cache cookie of the merged write');
    } finally {
      await a.server.close();
      await b.server.close();
    }
  });
});

describe('cookie cache: binding, size, keys and renewal (CC-06 ... CC-09)', () => {
  let app: App;
  beforeEach(async () => (app = await makeApp({ renewAfter: 120, renewGrace: 10 })));
  afterEach(() => app.server.close());

  it('CC-06 an unusable session cookie is cleared together with the cache cookie', async () => {
    const b = new Browser(app.server.url);
    await b.post('/login');
    const cache = (await b.cookie(CACHE))!;
    const res = await new Browser(app.server.url).get('/me', { cookie: `__Host-sid=forged.value; ${CACHE}=${cache}` });
    assert.equal(JSON.parse(res.body).user, null);
    assert.ok(res.setCookie.some((c) => c.startsWith('__Host-sid=;') && c.includes('Max-Age=0')));
    assert.ok(cacheSet(res.setCookie)?.includes('Max-Age=0'));
  });

  it("CC-06 a cache cookie moved to another session is refused: that session's own record is read", async () => {
    const ada = new Browser(app.server.url);
    const eve = new Browser(app.server.url);
    await ada.post('/login?user=ada');
    await eve.post('/login?user=eve');
    const adaCache = (await ada.cookie(CACHE))!;
    const eveSid = (await eve.cookie('__Host-sid'))!;
    app.ops();
    const res = await new Browser(app.server.url).get('/me', { cookie: `__Host-sid=${eveSid}; ${CACHE}=${adaCache}` });
    assert.equal(JSON.parse(res.body).user, 'eve');
    assert.deepEqual(app.ops(), ['get']);
  });

  it('CC-07 a record too big for one cookie gets no cache cookie (never chunked); reads go to the store', async () => {
    const b = new Browser(app.server.url);
    await b.post('/login');
    const big = await b.post('/blob');
    assert.ok(cacheSet(big.setCookie)?.includes('Max-Age=0'), 'the old cache is cleared, no new one is set');
    assert.equal(await b.cookie(CACHE), undefined);
    app.ops();
    await me(b);
    assert.deepEqual(app.ops(), ['get']);
  });

  it('CC-08 a cache sealed under an older key still hits (0 gets) and is re-sealed under the current key; a retired key is refused', async () => {
    const store = app.inner;
    const old = await makeApp({ secrets: OLD_SECRET }, { inner: store, clock: app.clock });
    const rotated = await makeApp({ secrets: [SECRET, OLD_SECRET] }, { inner: store, clock: app.clock });
    try {
      const b = new Browser(old.server.url);
      await b.post('/login');
      const cookies = await b.jar.getCookieString(old.server.url);
      rotated.ops();
      const res = await new Browser(rotated.server.url).get('/me', { cookie: cookies });
      assert.equal(JSON.parse(res.body).user, 'ada');
      assert.deepEqual(rotated.ops(), [], 'hit under the old key');
      assert.ok(cacheSet(res.setCookie) && !cacheSet(res.setCookie)!.includes('Max-Age=0'), 're-sealed under the current key');
      assert.ok(res.setCookie.some((c) => c.startsWith('__Host-sid=')), 'the session cookie is re-issued too');
      app.ops();
      const retired = await new Browser(app.server.url).get('/me', { cookie: cookies });
      assert.equal(JSON.parse(retired.body).user, null, 'a manager without the old key opens neither cookie');
    } finally {
      await old.server.close();
      await rotated.server.close();
    }
  });

  it('CC-09 renewal from a cache hit moves the session and issues a cache bound to the new ID', async () => {
    const b = new Browser(app.server.url);
    await b.post('/login');
    const before = await sidOf(b);
    app.clock.advance(100);
    await b.post('/set/x');
    assert.deepEqual(app.ops().slice(-2), ['get', 'setIf'], 'past maxAge: a store read, then the write re-issues the cache');
    app.clock.advance(25);
    // Within maxAge of that write and past renewAfter: the read renews from the cached copy.
    const res = await b.get('/me');
    assert.notEqual(await sidOf(b), before, 'the ID was renewed');
    assert.deepEqual(app.ops(), ['setIf', 'setIf'], 'renewal from the cache: create the new record, freeze the old one; no get');
    assert.ok(cacheSet(res.setCookie) && !cacheSet(res.setCookie)!.includes('Max-Age=0'));
    assert.deepEqual((await me(b)).keys.sort(), ['userId', 'x']);
    assert.deepEqual(app.ops(), [], 'the new cache opens for the new ID');
  });
});

describe('cookie cache: ID changes (CC-12)', () => {
  it('CC-12 after regenerate() or a renewal, a copy of the old session and cache cookies is refused in this process', async () => {
    const app = await makeApp({ renewAfter: 120, renewGrace: 2 });
    try {
      const victim = new Browser(app.server.url);
      await victim.post('/login');
      app.clock.advance(5);
      const beforeLogin = await victim.jar.getCookieString(app.server.url);
      await victim.post('/login?user=ada'); // logs in again: regenerate
      const stolen = await new Browser(app.server.url).get('/me', { cookie: beforeLogin });
      assert.equal(JSON.parse(stolen.body).user, null, 'the pre-regenerate pair is refused at once');

      app.clock.advance(100);
      await victim.post('/set/x'); // a write re-issues the cache: the copy below is fresh
      const beforeRenewal = await victim.jar.getCookieString(app.server.url);
      app.clock.advance(25);
      const sid = await sidOf(victim);
      await victim.get('/me'); // past renewAfter: the ID is renewed
      assert.notEqual(await sidOf(victim), sid, 'the ID was renewed');
      const inGrace = await new Browser(app.server.url).get('/me', { cookie: beforeRenewal });
      assert.equal(JSON.parse(inGrace.body).user, 'ada', 'within renewGrace the old ID still works (requests in flight)');
      app.clock.advance(3);
      const pastGrace = await new Browser(app.server.url).get('/me', { cookie: beforeRenewal });
      assert.equal(JSON.parse(pastGrace.body).user, null, 'past renewGrace, though the copied cache is within maxAge, the old ID is refused');
    } finally {
      await app.server.close();
    }
  });
});

describe('cookie cache: configuration', () => {
  const base = { secrets: SECRET };
  it('is refused in cookie mode, with the header transport, on a store without setIf and with a bad maxAge or name', () => {
    const refused = (options: object, pattern: RegExp) =>
      assert.throws(() => createSessionManager(options as SessionManagerOptions), (e: Error & { code?: string }) => e.code === 'ERR_SESSION_CONFIG' && pattern.test(e.message));
    refused({ ...base, mode: 'cookie', cookieCache: { maxAge: 30 } }, /cookieCache is not used in mode: 'cookie'/);
    refused({ ...base, cookieCache: { maxAge: 30 }, transport: { header: {} } }, /header transport/);
    const noSetIf = { get: () => undefined, set: async () => {}, delete: async () => {} };
    refused({ ...base, store: noSetIf, cookieCache: { maxAge: 30 } }, /setIf/);
    for (const maxAge of [0, -1, 3601, Infinity, Number.NaN, '30']) refused({ ...base, cookieCache: { maxAge } }, /maxAge/);
    refused({ ...base, cookieCache: { maxAge: 30, name: '__Host-sid' } }, /name/);
    refused({ ...base, cookieCache: { maxAge: 30, name: '__Host-c' }, cookie: { name: 'sid', secure: false } }, /secure/);
  });
});
