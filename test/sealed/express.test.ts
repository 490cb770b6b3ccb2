// Sealed-cookie mode over real HTTP through the unchanged Express middleware, with a real cookie
// jar: the store-mode behaviour tests, wherever they apply.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import express from 'express';
import { MemoryStore, createSessionManager } from '../../src/core/index.js';
import type { SessionError } from '../../src/core/index.js';
import type { CookieModeOptions } from '../../src/core/options.js';
import { session } from '../../src/express/index.js';
import { FakeClock } from '../../src/testing/index.js';
import { OLD_SECRET, SECRET, fixtureApp } from '../support/fixture-app.js';
import type { Fixture, FixtureOptions } from '../support/fixture-app.js';
import { Browser, serve } from '../support/http.js';
import type { RunningServer } from '../support/http.js';

const NAME = '__Host-sid';

interface SealedFixture extends Fixture {
  errors: SessionError[];
}

/** The shared fixture app in cookie mode. `store: undefined` undoes the fixture's store. */
async function withSealed(options: Partial<CookieModeOptions> & { recordErrors?: boolean }, run: (f: SealedFixture, server: RunningServer) => Promise<void>) {
  const errors: SessionError[] = [];
  const fixture = fixtureApp({ mode: 'cookie', store: undefined, onError: (e: SessionError) => errors.push(e), ...options } as FixtureOptions);
  fixture.app.get('/big', (req, res) => {
    req.session.set('blob', randomBytes(Number(req.query.bytes)).toString('base64'));
    res.json({ ok: true });
  });
  fixture.app.get('/blob-length', (req, res) => {
    res.json({ length: (req.session.get('blob') as string | undefined)?.length ?? null });
  });
  const server = await serve(fixture.app);
  try {
    await run({ ...fixture, errors }, server);
  } finally {
    await server.close();
  }
}

const pairOf = (setCookie: string): string => setCookie.split(';')[0]!;

describe('sealed mode over HTTP: commit rules', () => {
  it('a new session that was never written sends no cookie; Vary: Cookie', async () => {
    await withSealed({}, async ({ store }, server) => {
      const res = await new Browser(server.url).get('/read');
      assert.deepEqual(res.setCookie, []);
      assert.equal(res.headers.get('vary'), 'Cookie');
      assert.deepEqual(store.calls, [], 'no store is used');
    });
  });

  it('SM-29 a modified session is sealed into the cookie with Cache-Control: no-store; no store anywhere', async () => {
    await withSealed({}, async ({ store }, server) => {
      const browser = new Browser(server.url);
      const res = await browser.get('/count');
      assert.equal(res.setCookie.length, 1);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(JSON.parse((await browser.get('/count')).body).views, 2);
      assert.equal(JSON.parse((await browser.get('/count')).body).views, 3);
      assert.deepEqual(store.calls, []);
    });
  });

  it('an unchanged session sends no cookie', async () => {
    await withSealed({}, async (_f, server) => {
      const browser = new Browser(server.url);
      await browser.get('/count');
      const res = await browser.get('/read');
      assert.equal(JSON.parse(res.body).views, 1);
      assert.deepEqual(res.setCookie, []);
      assert.equal(res.headers.get('cache-control'), null);
    });
  });

  it('SM-17 SM-19 login regenerates: new ID, data kept, the redirect target sees the session', async () => {
    await withSealed({}, async (_f, server) => {
      const browser = new Browser(server.url);
      const before = await browser.get('/count');
      for (let i = 0; i < 5; i++) {
        const login = await browser.post('/login');
        assert.equal(login.status, 303);
        assert.notEqual(pairOf(login.setCookie[0]!), pairOf(before.setCookie[0]!));
        assert.deepEqual(JSON.parse((await browser.get(login.headers.get('location')!)).body), { views: 1, user: 'alice', isNew: false });
      }
    });
  });

  it('SM-18 4-A replaying the pre-login cookie gives the anonymous pre-login state, never the login', async () => {
    await withSealed({}, async (_f, server) => {
      const browser = new Browser(server.url);
      const planted = pairOf((await browser.get('/count')).setCookie[0]!);
      await browser.post('/login');
      const replay = await browser.get('/read', { cookie: planted });
      assert.equal(JSON.parse(replay.body).user, null);
    });
  });

  it('SM-28 logout clears the cookie (exact header); 7.4.1 with a revocation store the replay is anonymous', async () => {
    const clock = new FakeClock();
    await withSealed({ clock, revocationStore: new MemoryStore({ clock }), revocationCheckAfter: 0 }, async (_f, server) => {
      const browser = new Browser(server.url);
      const login = await browser.post('/login');
      const cookie = pairOf(login.setCookie[0]!);
      const logout = await browser.post('/logout');
      assert.deepEqual(logout.setCookie, [`${NAME}=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax`]);
      assert.equal(logout.headers.get('cache-control'), 'no-store');
      assert.equal(await browser.cookie(NAME), undefined);
      const replay = await browser.get('/read', { cookie });
      assert.deepEqual(JSON.parse(replay.body), { views: null, user: null, isNew: true });
      assert.match(replay.setCookie[0] ?? '', /Max-Age=0/, 'the replayed cookie is cleared');
    });
  });

  it('11.2.2 a cookie sealed with an older key is re-sealed with the current key on that response', async () => {
    const oldManager = createSessionManager({ mode: 'cookie', secrets: OLD_SECRET });
    const s = await oldManager.load(undefined);
    s.set('userId', 'bob');
    const oldCookie = pairOf((await oldManager.commit(s)).setCookie[0]!);
    const app = express();
    app.use(session(createSessionManager({ mode: 'cookie', secrets: [SECRET, OLD_SECRET] })));
    app.get('/', (req, res) => res.json({ user: req.session.get('userId') ?? null }));
    const server = await serve(app);
    try {
      const res = await new Browser(server.url).get('/', { cookie: oldCookie });
      assert.equal(JSON.parse(res.body).user, 'bob');
      assert.equal(res.setCookie.length, 1);
      const current = createSessionManager({ mode: 'cookie', secrets: SECRET });
      assert.equal((await current.load(pairOf(res.setCookie[0]!))).get('userId'), 'bob');
      assert.equal((await current.load(oldCookie)).isNew, true);
    } finally {
      await server.close();
    }
  });
});

describe('sealed mode over HTTP: expiry', () => {
  it('SM-23 idle timeout slides with touchAfter; past it the session is fresh and the cookie cleared', async () => {
    await withSealed({ idleTimeout: 600, touchAfter: 60 }, async ({ clock }, server) => {
      const browser = new Browser(server.url);
      await browser.post('/login');
      clock.advance(599);
      const touched = await browser.get('/read');
      assert.equal(JSON.parse(touched.body).user, 'alice');
      assert.equal(touched.setCookie.length, 1, 'the touch was due: re-sealed');
      clock.advance(599);
      assert.equal(JSON.parse((await browser.get('/read')).body).user, 'alice');
      clock.advance(601);
      const expired = await browser.get('/read');
      assert.equal(JSON.parse(expired.body).user, null);
      assert.match(expired.setCookie[0] ?? '', /Max-Age=0/, 'SM-27');
    });
  });

  it('SM-24 absolute timeout ends an active session', async () => {
    await withSealed({ lifetime: 3600, idleTimeout: 600, touchAfter: 60 }, async ({ clock }, server) => {
      const browser = new Browser(server.url);
      await browser.post('/login');
      for (let i = 0; i < 11; i++) {
        clock.advance(300);
        assert.equal(JSON.parse((await browser.get('/read')).body).user, 'alice');
      }
      clock.advance(301);
      assert.equal(JSON.parse((await browser.get('/read')).body).user, null);
    });
  });

  it('SM-25 a captured cookie replayed after expiry is rejected', async () => {
    await withSealed({ idleTimeout: 600, touchAfter: 60 }, async ({ clock }, server) => {
      const browser = new Browser(server.url);
      const cookie = pairOf((await browser.post('/login')).setCookie[0]!);
      clock.advance(601);
      assert.equal(JSON.parse((await browser.get('/read', { cookie })).body).user, null);
    });
  });
});

describe('sealed mode over HTTP: cookies', () => {
  it('SM-10 SM-11 SM-12 SM-14 SM-15 default attributes', async () => {
    await withSealed({}, async (_f, server) => {
      const res = await new Browser(server.url).get('/count');
      assert.match(res.setCookie[0]!, /^__Host-sid=[A-Za-z0-9_-]+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    });
  });

  it('tampered, truncated and garbled cookies give a fresh session (200), never an error', async () => {
    await withSealed({}, async ({ events }, server) => {
      const browser = new Browser(server.url);
      const value = pairOf((await browser.get('/count')).setCookie[0]!).slice(NAME.length + 1);
      const flipped = `${value.slice(0, 40)}${value[40] === 'A' ? 'B' : 'A'}${value.slice(41)}`;
      for (const bad of [flipped, value.slice(0, -1), value.slice(0, 30), `${value}A`, 'garbage', '%00%0d%0a', `${NAME}.0=2.${value}`]) {
        const res = await browser.get('/read', { cookie: `${NAME}=${bad}` });
        assert.equal(res.status, 200);
        assert.equal(JSON.parse(res.body).views, null, bad.slice(0, 30));
      }
      assert.ok(events.filter((e) => e.type === 'invalid_cookie').length >= 6);
    });
  });

  it('SM-20 two session cookies (tossing): neither is used', async () => {
    await withSealed({}, async ({ events }, server) => {
      const victim = new Browser(server.url);
      const attacker = new Browser(server.url);
      const v = pairOf((await victim.post('/login')).setCookie[0]!);
      const a = pairOf((await attacker.get('/count')).setCookie[0]!);
      for (const cookie of [`${a}; ${v}`, `${v}; ${a}`]) {
        const res = await victim.get('/read', { cookie });
        assert.deepEqual(JSON.parse(res.body), { views: null, user: null, isNew: true });
      }
      assert.equal(events.filter((e) => e.type === 'duplicate_cookie').length, 2);
    });
  });

  it('chunks over HTTP: 1 cookie, then 2 chunks, then back to 1; the jar ends with exactly the live cookies', async () => {
    await withSealed({}, async (_f, server) => {
      const browser = new Browser(server.url);
      const names = async () => (await browser.jar.getCookies(server.url)).map((c) => c.key).sort();
      await browser.get('/big?bytes=1000');
      assert.deepEqual(await names(), [NAME]);
      const big = await browser.get('/big?bytes=3600');
      assert.equal(big.status, 200);
      assert.deepEqual(await names(), [`${NAME}.0`, `${NAME}.1`]);
      for (const header of big.setCookie) assert.ok(pairOf(header).length <= 4097);
      assert.equal(JSON.parse((await browser.get('/blob-length')).body).length, 4800);
      await browser.get('/big?bytes=30');
      assert.deepEqual(await names(), [NAME], 'stale chunks cleared');
      assert.equal(JSON.parse((await browser.get('/blob-length')).body).length, 40);
    });
  });

  it('3.3.5 too large: 500 before any header, reported as ERR_SESSION_COOKIE_TOO_LARGE, the old cookie kept', async () => {
    await withSealed({}, async ({ errors }, server) => {
      const browser = new Browser(server.url);
      await browser.get('/count');
      const res = await browser.get('/big?bytes=9000');
      assert.equal(res.status, 500);
      assert.equal(res.body, 'Internal Server Error');
      assert.deepEqual(res.setCookie, []);
      assert.equal(errors[0]?.code, 'ERR_SESSION_COOKIE_TOO_LARGE');
      assert.equal(JSON.parse((await browser.get('/read')).body).views, 1, 'the previous session is intact');
    });
  });
});

describe('sealed mode over HTTP: responses', () => {
  it('streams: the cookie goes with the headers; a change after them is reported, not silently lost', async () => {
    await withSealed({}, async ({ errors, clock }, server) => {
      const browser = new Browser(server.url);
      const res = await browser.get('/stream');
      assert.equal(res.body, 'ab');
      assert.equal(res.setCookie.length, 1);
      assert.equal(errors[0]?.code, 'ERR_SESSION_HEADERS_SENT');
      const page = await browser.get('/read');
      assert.equal(page.status, 200);
      const opened = await createSessionManager({ mode: 'cookie', secrets: SECRET, clock }).load(pairOf(res.setCookie[0]!));
      assert.equal(opened.get('streamed'), true);
      assert.equal(opened.get('late'), undefined);
    });
  });

  it('writeHead before end, a double end, sendFile and saveSession all work', async () => {
    await withSealed({}, async ({ errors, clock }, server) => {
      const wh = await new Browser(server.url).get('/write-head-then-end');
      assert.equal(wh.status, 204);
      assert.equal(wh.setCookie.length, 1);
      const de = await new Browser(server.url).get('/double-end');
      assert.equal(de.body, 'once');
      assert.equal(de.setCookie.length, 1);
      const sf = await new Browser(server.url).get('/send-file');
      assert.equal(sf.status, 200);
      assert.equal(sf.setCookie.length, 1);
      const browser = new Browser(server.url);
      const ss = await browser.get('/save-then-stream');
      assert.equal(ss.body, 'chunk');
      assert.equal(ss.setCookie.length, 1);
      assert.equal(ss.headers.get('cache-control'), 'no-store');
      assert.deepEqual(errors, []);
      const manager = createSessionManager({ mode: 'cookie', secrets: SECRET, clock });
      assert.equal((await manager.load(pairOf(ss.setCookie[0]!))).get('early'), 'saved');
    });
  });
});
