import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStore, createSessionManager, hashStoreKey } from '../index.js';
import { Browser } from '../../test/support/http.js';
import { SECRET } from '../../test/support/fixture-app.js';
import { NAME, idFrom, withFixture } from '../../test/support/express-setup.js';

describe('express middleware: bad cookies (strict mode)', () => {
  it('SM-07 a well-signed but unknown ID is never adopted and causes no store write under it', async () => {
    const manager = createSessionManager({ secrets: SECRET, store: new MemoryStore() });
    const foreign = await manager.load(undefined);
    foreign.set('x', 1);
    const { setCookie } = await manager.commit(foreign);
    const plantedValue = setCookie[0]!.split(';')[0]!;
    await withFixture({}, async ({ store, events }, server) => {
      const res = await new Browser(server.url).get('/count', { cookie: plantedValue });
      const issued = idFrom(res.setCookie.find((c) => !c.includes('Max-Age=0'))!);
      assert.notEqual(issued, foreign.id);
      assert.ok(store.writes().every((c) => c.key !== hashStoreKey(foreign.id)));
      assert.ok(events.some((e) => e.type === 'unknown_id'));
    });
  });

  it('forged, tampered and garbled cookies give a fresh session and never reach the store', async () => {
    await withFixture({}, async ({ store, events }, server) => {
      const browser = new Browser(server.url);
      const real = (await browser.get('/count')).setCookie[0]!.split(';')[0]!.split('=')[1]!;
      store.reset();
      const forged = [
        `${real.slice(0, -1)}${real.endsWith('A') ? 'B' : 'A'}`,
        `${real}x`,
        real.slice(0, 50),
        `${'A'.repeat(43)}.${'A'.repeat(43)}`,
        'garbage',
        `${real.split('.')[0]}`,
        '%00%0d%0a',
        "' OR 1=1 --",
      ];
      for (const value of forged) {
        const res = await browser.get('/read', { cookie: `${NAME}=${value}` });
        assert.equal(JSON.parse(res.body).views, null, value);
      }
      assert.deepEqual(store.calls, [], 'SM-08 the store was never called with a bad ID');
      assert.ok(events.filter((e) => e.type === 'invalid_cookie').length >= forged.length - 1);
    });
  });

  it('SM-20 two valid session cookies (cookie tossing): neither is used, both are cleared', async () => {
    await withFixture({}, async ({ events }, server) => {
      const victim = new Browser(server.url);
      const attacker = new Browser(server.url);
      const v = (await victim.post('/login')).setCookie[0]!.split(';')[0]!;
      const a = (await attacker.get('/count')).setCookie[0]!.split(';')[0]!;
      for (const cookie of [`${a}; ${v}`, `${v}; ${a}`]) {
        const res = await victim.get('/read', { cookie });
        assert.deepEqual(JSON.parse(res.body), { views: null, user: null, isNew: true });
        assert.match(res.setCookie[0] ?? '', /^__Host-sid=; .*Max-Age=0/);
      }
      assert.equal(events.filter((e) => e.type === 'duplicate_cookie').length, 2);
      // One valid cookie next to garbage under the same name is used: garbage cannot log anyone out.
      const res = await victim.get('/read', { cookie: `${NAME}=junk; ${v}` });
      assert.equal(JSON.parse(res.body).user, 'alice');
    });
  });

  it('SM-06 a session ID in the query string or another header is never loaded', async () => {
    await withFixture({}, async (_f, server) => {
      const browser = new Browser(server.url);
      const value = (await browser.post('/login')).setCookie[0]!.split(';')[0]!.split('=')[1]!;
      const stranger = new Browser(server.url);
      for (const res of [
        await stranger.get(`/read?sid=${value}&${NAME}=${value}`),
        await stranger.get('/read', { headers: { authorization: `Bearer ${value}`, 'x-session-id': value } }),
      ]) {
        assert.equal(JSON.parse(res.body).user, null);
      }
    });
  });

  it('prefix spoofing and prototype names never load a session', async () => {
    await withFixture({}, async (_f, server) => {
      const browser = new Browser(server.url);
      const value = (await browser.post('/login')).setCookie[0]!.split(';')[0]!.split('=')[1]!;
      for (const cookie of [`__%48ost-sid=${value}`, `=__Host-sid=${value}`, `\u2000__Host-sid=${value}`, `__host-sid=${value}`, `$Version=1, __Host-sid=${value}`]) {
        const res = await browser.get('/read', { cookie: Buffer.from(cookie, 'utf8').toString('latin1') });
        assert.equal(JSON.parse(res.body).user, null, cookie);
      }
      const ok = await browser.get('/read', { cookie: `__proto__=1; constructor=2; hasOwnProperty=3; toString=4; ${NAME}=${value}` });
      assert.equal(JSON.parse(ok.body).user, 'alice');
    });
  });
});

describe('express middleware: cookie attributes', () => {
  it('SM-10 SM-11 SM-12 SM-14 SM-15 defaults: HttpOnly; Secure; SameSite=Lax; Path=/; no Domain; no Max-Age', async () => {
    await withFixture({}, async (_f, server) => {
      const res = await new Browser(server.url).get('/count');
      assert.match(res.setCookie[0]!, /^__Host-sid=[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    });
  });

  it('SM-16 remember me: Max-Age and Expires agree, capped at 400 days', async () => {
    await withFixture({ lifetime: 500 * 24 * 3600, idleTimeout: Infinity }, async ({ clock }, server) => {
      const res = await new Browser(server.url).post('/login?remember=1');
      const header = res.setCookie[0]!;
      const maxAge = Number(/Max-Age=(\d+)/.exec(header)![1]);
      assert.equal(maxAge, 400 * 24 * 3600);
      const expires = Date.parse(/Expires=([^;]+)/.exec(header)![1]!);
      assert.ok(Math.abs(expires - (clock.now() + maxAge * 1000)) <= 1000);
    });
  });

  it('Partitioned and Priority are emitted when configured', async () => {
    await withFixture({ cookie: { partitioned: true, priority: 'high', sameSite: 'none' } }, async (_f, server) => {
      const res = await new Browser(server.url).get('/count');
      assert.match(res.setCookie[0]!, /; Secure; SameSite=None; Partitioned; Priority=High$/);
    });
  });
});
