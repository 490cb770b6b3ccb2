// Periodic ID renewal (`renewAfter`) on every store against the real servers: requests in flight
// with the old cookie all succeed and lose nothing, the old ID dies after `renewGrace`, and a
// destroy racing a renewal leaves no session alive, and a devices page listed before a renewal
// still revokes the session after it.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import express from 'express';
import { createSessionManager, hashStoreKey } from '../../src/core/index.js';
import type { SessionEvent, SessionManager, SessionStore } from '../../src/core/index.js';
import { session } from '../../src/express/index.js';
import { FakeClock } from '../../src/testing/index.js';
import { Browser, serve } from '../support/http.js';
import type { RunningServer } from '../support/http.js';
import { realStores } from '../support/real-stores.js';
import { describeUnlessSkipped } from '../support/services.js';

const SECRET = 'renewal-test-secret-0123456789abcdefghijkl';
const stores = await realStores();
after(async () => {
  for (const s of stores) await s.close();
});

const cookieOf = (setCookie: string[]): string => setCookie.find((c) => !c.includes('Max-Age=0'))!.split(';')[0]!;
const idOf = (cookie: string): string => cookie.split('=')[1]!.split('.')[0]!;

for (const backend of stores) {
  describeUnlessSkipped(`SM-26 renewal on ${backend.name}`, backend.skip, () => {
    let store: SessionStore;
    let server: RunningServer;
    let manager: SessionManager;
    const clock = new FakeClock(Date.now());
    const events: SessionEvent[] = [];
    before(async () => {
      store = await backend.make('renewal');
      manager = createSessionManager({ secrets: SECRET, store, clock, renewAfter: 600, renewGrace: 10, idleTimeout: 3600, onEvent: (e) => events.push(e) });
      const app = express();
      app.use(session(manager, { onError: () => {} }));
      app.post('/start', (req, res) => {
        req.session.set('userId', 'u1');
        res.send('ok');
      });
      app.post('/login/:user', (req, res) => {
        req.session.set('userId', req.params.user);
        res.send('ok');
      });
      app.post('/set/:key', async (req, res) => {
        await delay(Math.random() * 10);
        req.session.set(req.params.key, true);
        res.send('ok');
      });
      app.get('/keys', (req, res) => res.json({ keys: req.session.keys().sort(), isNew: req.session.isNew }));
      server = await serve(app);
    });
    after(() => server?.close());

    it('20 concurrent requests with the old cookie during a renewal all succeed and keep their writes', async () => {
      const browser = new Browser(server.url);
      const oldCookie = cookieOf((await browser.post('/start')).setCookie);
      clock.advance(601);
      const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => browser.post(`/set/k${i}`, { cookie: oldCookie })));
      assert.deepEqual(responses.map((r) => r.status), Array(20).fill(200));
      const issued = new Set(responses.flatMap((r) => r.setCookie).filter((c) => !c.includes('Max-Age=0')).map((c) => c.split(';')[0]!));
      assert.ok(issued.size <= 1, 'every renewing response carries the same new cookie');
      assert.ok(events.some((e) => e.type === 'renewed'), JSON.stringify(events.map((e) => e.type)));
      const newCookie = [...issued][0] ?? oldCookie;
      assert.notEqual(idOf(newCookie), idOf(oldCookie), 'the ID changed');
      const page = JSON.parse((await browser.get('/keys', { cookie: newCookie })).body) as { keys: string[]; isNew: boolean };
      assert.equal(page.isNew, false);
      assert.deepEqual(page.keys, [...Array.from({ length: 20 }, (_, i) => `k${i}`), 'userId'].sort());

      // Within the grace window the old cookie still reaches the live session and writes to it.
      clock.advance(5);
      assert.equal((await browser.post('/set/late', { cookie: oldCookie })).status, 200);
      const withLate = JSON.parse((await browser.get('/keys', { cookie: newCookie })).body) as { keys: string[] };
      assert.ok(withLate.keys.includes('late'));

      // After it, the old ID gives an anonymous session; the new one works.
      clock.advance(6);
      assert.equal((JSON.parse((await browser.get('/keys', { cookie: oldCookie })).body) as { isNew: boolean }).isNew, true);
      assert.equal((JSON.parse((await browser.get('/keys', { cookie: newCookie })).body) as { isNew: boolean }).isNew, false);
    });

    it('a destroy racing a renewal leaves no session alive (100 trials each way)', async () => {
      let alive = 0;
      for (let trial = 0; trial < 200; trial++) {
        const created = await manager.load(undefined);
        created.set('userId', `u${trial}`);
        const cookie = cookieOf((await manager.commit(created)).setCookie);
        clock.advance(601);
        const renewing = await manager.load(cookie);
        const logout = await manager.load(cookie);
        logout.destroy();
        let renewedCookie: string | undefined;
        if (trial % 2 === 0) {
          await manager.commit(logout);
          renewedCookie = (await manager.commit(renewing)).setCookie.map((c) => c.split(';')[0]!)[0];
        } else {
          renewedCookie = (await manager.commit(renewing)).setCookie.map((c) => c.split(';')[0]!)[0];
          await manager.commit(logout);
        }
        for (const c of [cookie, renewedCookie]) if (c !== undefined && !(await manager.load(c)).isNew) alive++;
        if ((await store.get(hashStoreKey(created.id))) !== undefined) alive++;
      }
      assert.equal(alive, 0);
    });

    it('SM-34 a handle listed before a renewal still revokes the session after it, within the grace window and past it', async () => {
      for (const pastGrace of [false, true]) {
        const user = `devices-${pastGrace}-${process.pid}-${Date.now()}`;
        const browser = new Browser(server.url);
        const oldCookie = cookieOf((await browser.post(`/login/${user}`)).setCookie);
        const [listed] = await manager.listSessions(user);
        clock.advance(601);
        const newCookie = cookieOf((await browser.post('/set/renewing', { cookie: oldCookie })).setCookie);
        assert.notEqual(idOf(newCookie), idOf(oldCookie), 'renewed');
        if (pastGrace) clock.advance(11);
        assert.deepEqual((await manager.listSessions(user)).map((s) => s.handle), [listed!.handle], 'the same handle after the renewal');
        assert.equal(await manager.revokeSession(user, listed!.handle), true);
        for (const cookie of [newCookie, oldCookie]) {
          assert.equal((JSON.parse((await browser.get('/keys', { cookie })).body) as { isNew: boolean }).isNew, true, 'revoked');
        }
        assert.deepEqual(await manager.listSessions(user), []);
      }
    });

    it('a session revoked by a handle listed before its renewal never comes back through a regenerate() that loaded it under the old ID', async () => {
      const user = `revived-${process.pid}-${Date.now()}`;
      const created = await manager.load(undefined);
      created.set('userId', user);
      const cookie = cookieOf((await manager.commit(created)).setCookie);
      const [listed] = await manager.listSessions(user);
      clock.advance(601);
      const stepUp = await manager.load(cookie); // a login or privilege change, in flight
      await manager.commit(await manager.load(cookie)); // a parallel request renews the ID
      assert.equal(await manager.revokeSession(user, listed!.handle), true);
      stepUp.regenerate();
      const issued = (await manager.commit(stepUp)).setCookie.find((c) => !c.includes('Max-Age=0'));
      assert.equal(issued === undefined ? undefined : (await manager.load(issued.split(';')[0]!)).get('userId'), undefined);
      assert.deepEqual(await manager.listSessions(user), []);
    });
  });
}
