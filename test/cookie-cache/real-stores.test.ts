// The cookie cache on every store against the real servers: round trips counted by wrapping the
// store, no resurrection from a cached read, and no lost update between parallel cached writes.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import express from 'express';
import { createSessionManager, hashStoreKey } from '../../src/core/index.js';
import type { SessionStore } from '../../src/core/index.js';
import { session } from '../../src/express/index.js';
import { FakeClock } from '../../src/testing/index.js';
import { Browser, serve } from '../support/http.js';
import type { RunningServer } from '../support/http.js';
import { realStores } from '../support/real-stores.js';
import { RecordingStore } from '../support/recording-store.js';
import { describeUnlessSkipped } from '../support/services.js';

const SECRET = 'cookie-cache-real-secret-0123456789abcdefg';
const stores = await realStores();
after(async () => {
  for (const s of stores) await s.close();
});

for (const backend of stores) {
  describeUnlessSkipped(`cookie cache on ${backend.name}`, backend.skip, () => {
    let inner: SessionStore;
    let store: RecordingStore;
    let server: RunningServer;
    const clock = new FakeClock(Date.now());
    before(async () => {
      inner = await backend.make('cookie_cache');
      store = new RecordingStore(inner);
      const manager = createSessionManager({ secrets: SECRET, store, clock, cookieCache: { maxAge: 30 } });
      const app = express();
      app.use(session(manager, { onError: () => {} }));
      app.post('/login', (req, res) => {
        req.session.regenerate();
        req.session.set('userId', 'ada');
        res.send('ok');
      });
      app.post('/set/:key', async (req, res) => {
        await delay(Math.random() * 20);
        req.session.set(req.params.key, true);
        res.send('ok');
      });
      app.get('/keys', (req, res) => res.json(req.session.keys().sort()));
      server = await serve(app);
    });
    after(() => server?.close());
    const ops = (): string[] => {
      const list = store.calls.map((c) => c.op);
      store.reset();
      return list;
    };

    it('CC-01 hit: 0 gets; write: 1 setIf; miss: 1 get', async () => {
      const b = new Browser(server.url);
      await b.post('/login');
      ops();
      for (let i = 0; i < 3; i++) await b.get('/keys');
      assert.deepEqual(ops(), []);
      await b.post('/set/a');
      assert.deepEqual(ops(), ['setIf'], 'the cached text is exactly the stored one: the compare-and-set succeeds at once');
      clock.advance(31);
      assert.deepEqual(JSON.parse((await b.get('/keys')).body), ['a', 'userId']);
      assert.deepEqual(ops(), ['get']);
      clock.advance(-31);
    });

    it('CC-02 a session deleted meanwhile is not re-created by a write from a cached read', async () => {
      const b = new Browser(server.url);
      await b.post('/login');
      const key = hashStoreKey((await b.cookie('__Host-sid'))!.split('.')[0]!);
      await inner.delete(key);
      await b.post('/set/late');
      assert.equal(await inner.get(key), undefined);
      assert.deepEqual(JSON.parse((await b.get('/keys')).body), []);
    });

    it('CC-05 ten parallel writes of distinct keys from one cached read: all ten kept', async () => {
      const b = new Browser(server.url);
      await b.post('/login');
      const cookie = await b.jar.getCookieString(server.url);
      const statuses = await Promise.all(Array.from({ length: 10 }, (_, k) => new Browser(server.url).post(`/set/k${k}`, { cookie }).then((r) => r.status)));
      assert.deepEqual(statuses, Array(10).fill(200));
      const record = JSON.parse((await inner.get(hashStoreKey((await b.cookie('__Host-sid'))!.split('.')[0]!)))!) as { d: object };
      assert.equal(Object.keys(record.d).filter((k) => /^k\d$/.test(k)).length, 10);
    });
  });
}
