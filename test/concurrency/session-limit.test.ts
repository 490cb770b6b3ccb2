// maxSessionsPerUser (ASVS 7.1.2) on every store against the real servers, over HTTP with a real
// cookie jar per device: a login past the limit ends the user's least recently used session.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import express from 'express';
import { createSessionManager } from '../../src/core/index.js';
import type { SessionEvent, SessionManager, SessionStore } from '../../src/core/index.js';
import { session } from '../../src/express/index.js';
import { FakeClock } from '../../src/testing/index.js';
import { Browser, serve } from '../support/http.js';
import type { RunningServer } from '../support/http.js';
import { realStores } from '../support/real-stores.js';
import { describeUnlessSkipped } from '../support/services.js';

const SECRET = 'session-limit-test-secret-0123456789abcdefg';
const stores = await realStores();
after(async () => {
  for (const s of stores) await s.close();
});

for (const backend of stores) {
  describeUnlessSkipped(`ASVS 7.1.2 maxSessionsPerUser on ${backend.name}`, backend.skip, () => {
    let store: SessionStore;
    let server: RunningServer;
    let manager: SessionManager;
    const clock = new FakeClock(Date.now());
    const events: SessionEvent[] = [];
    before(async () => {
      store = await backend.make('limit');
      manager = createSessionManager({ secrets: SECRET, store, clock, maxSessionsPerUser: 2, onEvent: (e) => events.push(e) });
      const app = express();
      app.use(session(manager, { onError: () => {} }));
      app.post('/login/:user', (req, res) => {
        req.session.regenerate();
        req.session.set('userId', req.params.user);
        res.send('ok');
      });
      app.post('/touch', (req, res) => {
        req.session.touch();
        res.send('ok');
      });
      app.get('/me', (req, res) => res.json({ user: req.session.get('userId') ?? null }));
      server = await serve(app);
    });
    after(() => server?.close());

    it('ASVS 7.1.2 a third login with a limit of 2 ends the least recently used device; other users are untouched', async () => {
      const user = `limit-${process.pid}-${Date.now()}`;
      const [phone, laptop, tablet, other] = Array.from({ length: 4 }, () => new Browser(server.url));
      await phone!.post(`/login/${user}`);
      clock.advance(10);
      await laptop!.post(`/login/${user}`);
      await other!.post(`/login/${user}-other`);
      clock.advance(120);
      assert.equal((await phone!.post('/touch')).status, 200, 'the phone is used again');
      clock.advance(10);
      assert.equal((await tablet!.post(`/login/${user}`)).status, 200);
      const me = async (b: Browser) => (JSON.parse((await b.get('/me')).body) as { user: string | null }).user;
      assert.deepEqual([await me(phone!), await me(laptop!), await me(tablet!), await me(other!)], [user, null, user, `${user}-other`]);
      assert.equal((await manager.listSessions(user)).length, 2);
      assert.equal(events.filter((e) => e.type === 'evicted').length, 1);
    });
  });
}
