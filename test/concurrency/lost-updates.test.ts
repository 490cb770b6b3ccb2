// Issue 4's proofs, on every store against the real servers: no lost updates between parallel
// requests, no session resurrected by a late write or a racing regenerate, and per-user revocation.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import express from 'express';
import { createSessionManager, hashStoreKey } from '../../src/core/index.js';
import type { SessionStore } from '../../src/core/index.js';
import { session } from '../../src/express/index.js';
import { Browser, serve } from '../support/http.js';
import type { RunningServer } from '../support/http.js';
import { realStores } from '../support/real-stores.js';
import { describeUnlessSkipped } from '../support/services.js';

const SECRET = 'lost-update-secret-0123456789abcdefghijkl';
const stores = await realStores();
const errors: string[] = [];
const figures: Record<string, string[]> = { 'lost updates': [], 'resurrected sessions': [], 'resurrected through regenerate': [], 'lost increments': [] };

after(async () => {
  if (errors.length > 0) console.log('commit errors:', JSON.stringify(Object.fromEntries(errors.map((c) => [c, errors.filter((x) => x === c).length]))));
  for (const [label, rows] of Object.entries(figures)) if (rows.length > 0) console.log(`${label}: ${rows.join(', ')}`);
  for (const s of stores) await s.close();
});

/** An app whose handlers wait a random time between load and commit, so parallel requests overlap. */
function racingApp(store: SessionStore) {
  const app = express();
  app.use(session({ secrets: SECRET, store, onError: (e) => errors.push(e.code) }));
  app.post('/start', (req, res) => {
    req.session.set('started', true);
    res.send('ok');
  });
  app.post('/set/:key', async (req, res) => {
    await delay(Math.random() * 20);
    req.session.set(req.params.key, true);
    res.send('ok');
  });
  app.post('/count', async (req, res) => {
    await delay(Math.random() * 5);
    req.session.update('count', (n) => ((n as number | undefined) ?? 0) + 1);
    res.send('ok');
  });
  app.get('/keys', (req, res) => res.json({ keys: req.session.keys(), count: req.session.get('count') ?? 0 }));
  return app;
}

for (const backend of stores) {
  describeUnlessSkipped(`lost updates and resurrection on ${backend.name}`, backend.skip, () => {
    let store: SessionStore;
    let server: RunningServer;
    before(async () => {
      store = await backend.make('lost_updates');
      server = await serve(racingApp(store));
    });
    after(() => server?.close());

    it('100 sessions x 10 concurrent requests setting distinct keys: 1000 of 1000 keys kept', async () => {
      const browsers = Array.from({ length: 100 }, () => new Browser(server.url));
      for (const b of browsers) assert.equal((await b.post('/start')).status, 200);
      let present = 0;
      // Ten sessions at a time, each with its ten requests in parallel.
      for (let i = 0; i < browsers.length; i += 10) {
        await Promise.all(
          browsers.slice(i, i + 10).map(async (b) => {
            const statuses = await Promise.all(Array.from({ length: 10 }, (_, k) => b.post(`/set/k${k}`).then((r) => r.status)));
            assert.deepEqual(statuses, Array(10).fill(200));
            const { keys } = JSON.parse((await b.get('/keys')).body) as { keys: string[] };
            present += keys.filter((k) => /^k\d$/.test(k)).length;
          }),
        );
      }
      figures['lost updates']!.push(`${1000 - present}/1000 (${backend.name})`);
      assert.equal(present, 1000);
    });

    it('200 concurrent update() increments on one session: the count ends at 200', async () => {
      const b = new Browser(server.url);
      await b.post('/start');
      const statuses = await Promise.all(Array.from({ length: 200 }, () => b.post('/count').then((r) => r.status)));
      assert.deepEqual(statuses.filter((s) => s !== 200), []);
      const { count } = JSON.parse((await b.get('/keys')).body) as { count: number };
      figures['lost increments']!.push(`${200 - count}/200 (${backend.name})`);
      assert.equal(count, 200);
    });

    it('two app instances on one store (as two processes): 100 concurrent increments split across them end at 100', async () => {
      const second = await serve(racingApp(store));
      try {
        const a = new Browser(server.url);
        await a.post('/start');
        const b = new Browser(second.url, a.jar);
        const statuses = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? a : b).post('/count').then((r) => r.status)));
        assert.deepEqual(statuses.filter((s) => s !== 200), []);
        assert.equal((JSON.parse((await a.get('/keys')).body) as { count: number }).count, 100);
      } finally {
        await second.close();
      }
    });

    it('1000 trials of a slow write racing a destroy: 0 sessions alive afterwards', async () => {
      const manager = createSessionManager({ secrets: SECRET, store });
      let alive = 0;
      for (let trial = 0; trial < 1000; trial++) {
        const created = await manager.load(undefined);
        created.set('userId', `u${trial}`);
        const cookie = (await manager.commit(created)).setCookie[0]!.split(';')[0]!;
        const slow = await manager.load(cookie); // the slow request has read the session...
        const logout = await manager.load(cookie);
        logout.destroy();
        await manager.commit(logout); // ...logout finishes first...
        slow.set('late', trial); // ...then the slow request writes.
        await manager.commit(slow);
        if ((await store.get(hashStoreKey(created.id))) !== undefined) alive++;
        if ((await manager.load(cookie)).isNew === false) alive++;
      }
      figures['resurrected sessions']!.push(`${alive}/1000 (${backend.name})`);
      assert.equal(alive, 0);
    });

    it('a regenerate racing a logout or a "log out other devices", in any order, never leaves the session alive under a new ID (50 trials each)', async () => {
      const manager = createSessionManager({ secrets: SECRET, store });
      const orders = ['logout first', 'revoke first', 'regenerate first', 'at once', 'revoke at once', 'revoke one at once'] as const;
      const alive: Record<string, number> = {};
      for (const order of orders) {
        alive[order] = 0;
        for (let trial = 0; trial < 50; trial++) {
          const userId = `regen-${order}-${trial}`;
          const created = await manager.load(undefined);
          created.set('userId', userId);
          const cookie = (await manager.commit(created)).setCookie[0]!.split(';')[0]!;
          const elevate = await manager.load(cookie); // a step-up request that regenerates (a stolen cookie, say)...
          const logout = await manager.load(cookie); // ...while the owner logs out
          elevate.regenerate();
          elevate.set('elevated', true);
          logout.destroy();
          let setCookie: string[] = [];
          if (order === 'logout first') {
            await manager.commit(logout);
            setCookie = (await manager.commit(elevate)).setCookie;
          } else if (order === 'revoke first') {
            await manager.revokeSessions(userId);
            setCookie = (await manager.commit(elevate)).setCookie;
          } else if (order === 'regenerate first') {
            setCookie = (await manager.commit(elevate)).setCookie;
            await manager.commit(logout);
          } else if (order === 'at once') {
            [{ setCookie }] = await Promise.all([manager.commit(elevate), manager.commit(logout)]);
          } else if (order === 'revoke at once') {
            [{ setCookie }] = await Promise.all([manager.commit(elevate), manager.revokeSessions(userId)]);
          } else {
            const [device] = await manager.listSessions(userId); // "Your devices": the owner ends this one
            [{ setCookie }] = await Promise.all([manager.commit(elevate), manager.revokeSession(userId, device!.handle)]);
          }
          const issued = setCookie.find((c) => !c.includes('Max-Age=0'));
          const loggedIn = issued !== undefined && (await manager.load(issued.split(';')[0]!)).get('userId') === userId;
          if (loggedIn || (await manager.listSessions(userId)).length > 0) alive[order]++;
        }
      }
      figures['resurrected through regenerate']!.push(`${orders.map((o) => `${alive[o]}/50 ${o}`).join(', ')} (${backend.name})`);
      assert.deepEqual(alive, { 'logout first': 0, 'revoke first': 0, 'regenerate first': 0, 'at once': 0, 'revoke at once': 0, 'revoke one at once': 0 });
    });

    it('two regenerates of one session (a double-clicked login), at once or one after the other, both commit, and a logout of the loaded session then ends both (20 trials)', async () => {
      const manager = createSessionManager({ secrets: SECRET, store });
      let failures = 0;
      for (let trial = 0; trial < 20; trial++) {
        const created = await manager.load(undefined);
        created.set('visits', trial);
        const cookie = (await manager.commit(created)).setCookie[0]!.split(';')[0]!;
        const [first, second, logout] = [await manager.load(cookie), await manager.load(cookie), await manager.load(cookie)];
        for (const login of [first, second]) {
          login.regenerate();
          login.set('userId', `double-${trial}`);
        }
        // Even trials at once; odd ones one after the other, so the second finds the loaded record moved.
        const issued = trial % 2 === 0 ? await Promise.all([manager.commit(first), manager.commit(second)]) : [await manager.commit(first), await manager.commit(second)];
        const cookies = issued.map((r) => r.setCookie.find((c) => !c.includes('Max-Age=0'))?.split(';')[0]);
        for (const next of cookies) if (next === undefined || (await manager.load(next)).get('userId') !== `double-${trial}`) failures++;
        logout.destroy();
        await manager.commit(logout);
        for (const next of cookies) if (next !== undefined && !(await manager.load(next)).isNew) failures++;
      }
      assert.equal(failures, 0);
    });
  });

  describeUnlessSkipped(`per-user sessions on ${backend.name}`, backend.skip, () => {
    it('SM-34 three sessions of one user: list shows 3, revoking the others leaves 1, revoked cookies are anonymous', async () => {
      const store = await backend.make('per_user');
      const manager = createSessionManager({ secrets: SECRET, store });
      const cookies: string[] = [];
      const sessions = [];
      for (let i = 0; i < 3; i++) {
        const s = await manager.load(undefined, { userAgent: `agent ${i}`, ip: '127.0.0.1' });
        s.set('userId', 'user-42');
        cookies.push((await manager.commit(s)).setCookie[0]!.split(';')[0]!);
        sessions.push(s);
      }
      const other = await manager.load(undefined);
      other.set('userId', 'someone-else');
      await manager.commit(other);

      const current = await manager.load(cookies[0]);
      const list = await manager.listSessions('user-42', current);
      assert.equal(list.length, 3);
      assert.equal(list.filter((s) => s.current).length, 1);
      assert.deepEqual(list.map((s) => s.userAgent).sort(), ['agent 0', 'agent 1', 'agent 2']);
      const listed = JSON.stringify(list);
      for (const s of sessions) assert.ok(!listed.includes(s.id), 'no raw session ID in the list');

      assert.equal(await manager.revokeSessions('user-42', { except: current }), 2);
      assert.equal((await manager.listSessions('user-42')).length, 1);
      assert.equal((await manager.load(cookies[0])).get('userId'), 'user-42');
      assert.equal((await manager.load(cookies[1])).isNew, true);
      assert.equal((await manager.load(cookies[2])).isNew, true);
      assert.equal((await manager.listSessions('someone-else')).length, 1, 'other users untouched');

      const [only] = await manager.listSessions('user-42');
      assert.equal(await manager.revokeSession('user-42', only!.handle), true);
      assert.equal((await manager.load(cookies[0])).isNew, true);
      assert.equal(await manager.revokeSession('user-42', only!.handle), false);
    });
  });
}
