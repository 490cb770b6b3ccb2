// The DBSC agent (test/support/dbsc-agent.ts) against tessera's endpoints (the protocol app of
// test/dbsc/harness.ts), over real HTTP with a tough-cookie jar: the exchanges Chromium 156 was
// seen making against the demo app (docs/dbsc-browser-notes.md, test/browser/dbsc-demo.test.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApp } from './dbsc/harness.js';
import type { DbscApp } from './dbsc/harness.js';
import { DbscAgent } from './support/dbsc-agent.js';
import { Browser } from './support/http.js';
import type { BrowserResponse } from './support/http.js';

/** A cookie-jar client that logs `METHOD /path status` of each exchange. */
class LoggingBrowser extends Browser {
  readonly log: string[] = [];
  override async request(path: string, init: RequestInit & { cookie?: string } = {}): Promise<BrowserResponse> {
    const response = await super.request(path, init);
    this.log.push(`${init.method ?? 'GET'} ${new URL(path, this.baseUrl).pathname} ${response.status}`);
    return response;
  }
}

const user = (response: BrowserResponse): string | null => (JSON.parse(response.body) as { user: string | null }).user;

describe('DBSC agent against tessera', () => {
  let app: DbscApp;
  before(async () => {
    app = await startApp('express');
  });
  after(() => app.close());

  for (const alg of ['ES256', 'RS256'] as const) {
    it(`${alg}: registers on login; past the bound cookie's life the 307, then the refresh (challenge sent ahead, then 403 and retry once it is stale)`, async () => {
      const browser = new LoggingBrowser(app.server.url);
      const agent = new DbscAgent(browser, alg);
      assert.equal((await agent.request('/login', { method: 'POST' })).status, 200);
      assert.deepEqual(agent.events.map((e) => e.type), ['registered']);
      assert.equal(JSON.parse((await agent.request('/me')).body).bound, true);

      for (const [advance, expected] of [
        [601, ['GET /me 307', 'POST /dbsc/refresh 200', 'GET /me 200']],
        [600 + 120 + 1, ['GET /me 307', 'POST /dbsc/refresh 403', 'POST /dbsc/refresh 200', 'GET /me 200']],
      ] as const) {
        const from = browser.log.length;
        app.clock.advance(advance);
        const stale = await agent.request('/me');
        assert.equal(stale.status, 307);
        const fresh = await agent.request(stale.headers.get('location')!);
        assert.deepEqual(JSON.parse(fresh.body), { user: 'ada', bound: true, note: null });
        assert.deepEqual(browser.log.slice(from), expected);
      }
      assert.deepEqual(agent.events.map((e) => e.type), ['registered', 'refreshed', 'refreshed']);
    });
  }

  it('a second jar with the long-lived cookie only and no key gets no access (once the registration race is over)', async () => {
    const owner = new DbscAgent(new Browser(app.server.url));
    await owner.request('/login', { method: 'POST' });
    const sid = await owner.browser.cookie('__Host-sid');
    assert.ok(sid);
    app.clock.advance(5); // past the 5 s in which a request with no bound cookie still counts (DB-26)
    const thief = new DbscAgent(new Browser(app.server.url));
    assert.equal(user(await thief.request('/me', { headers: { cookie: `__Host-sid=${sid}` } })), null);
    assert.equal(thief.sessions.size, 0);
  });

  it('a refresh with a proof by another key ends the DBSC session', async () => {
    const agent = new DbscAgent(new Browser(app.server.url));
    await agent.request('/login', { method: 'POST' });
    const [id, session] = [...agent.sessions][0]!;
    const other = new DbscAgent(new Browser(app.server.url));
    await other.request('/login', { method: 'POST' });
    session.key = [...other.sessions.values()][0]!.key;
    session.cachedChallenge = undefined;
    assert.equal(await agent.refresh(id), 200);
    assert.equal(agent.events.at(-1)?.type, 'ended');
    assert.equal(agent.sessions.size, 0);
  });
});
