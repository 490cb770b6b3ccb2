// The DBSC agent (test/support/dbsc-agent.ts) against the standalone DBSC server, over real HTTP with
// a tough-cookie jar: the same exchanges Chromium 156 was seen making (docs/dbsc-browser-notes.md).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DbscAgent } from './support/dbsc-agent.js';
import { generateDbscKey, readChallenges, readRegistration, registrationProof, signDbscJws } from './support/dbsc-client.js';
import { startDbscTestServer } from './support/dbsc-test-server.js';
import type { DbscTestServer } from './support/dbsc-test-server.js';
import { Browser } from './support/http.js';

describe('DBSC agent against the standalone server', () => {
  let server: DbscTestServer;
  before(async () => {
    server = await startDbscTestServer({ host: '127.0.0.1', boundLifetime: 60 });
  });
  after(() => server.close());

  for (const alg of ['ES256', 'RS256'] as const) {
    it(`${alg}: registers on login, refreshes after the server clock passes the bound cookie's life`, async () => {
      const agent = new DbscAgent(new Browser(server.url), alg);
      const login = await agent.request('/login?user=ada');
      assert.equal(login.status, 200);
      assert.deepEqual(agent.events.map((e) => e.type), ['registered']);
      assert.equal((await agent.request('/app')).body, '<p id="state">hello ada (bound); refreshes 0</p>');

      const from = server.log.length;
      server.advance(61);
      const stale = await agent.request('/app');
      assert.equal(stale.status, 307);
      const fresh = await agent.request(stale.headers.get('location')!);
      assert.equal(fresh.body, '<p id="state">hello ada (bound); refreshes 1</p>');
      assert.deepEqual(
        server.log.slice(from).map((e) => `${e.method} ${e.path} ${e.status}`),
        ['GET /app 307', 'POST /dbsc/refresh 403', 'POST /dbsc/refresh 200', 'GET /app 200'],
      );
    });
  }

  it('a second jar with the long-lived cookie only and no key gets no access', async () => {
    const owner = new DbscAgent(new Browser(server.url));
    await owner.request('/login?user=eve');
    const sid = await owner.browser.cookie('dbsc_sid');
    const thief = new DbscAgent(new Browser(server.url));
    const response = await thief.request('/app', { headers: { cookie: `dbsc_sid=${sid}` } });
    assert.equal(response.status, 403);
    assert.equal(thief.sessions.size, 0);
  });

  it('a refresh with a proof by another key is refused', async () => {
    const agent = new DbscAgent(new Browser(server.url));
    await agent.request('/login?user=mallory');
    const [id, session] = [...agent.sessions][0]!;
    const other = new DbscAgent(new Browser(server.url));
    await other.request('/login?user=other');
    session.key = [...other.sessions.values()][0]!.key;
    assert.equal(await agent.refresh(id), 403);
    assert.equal(agent.events.at(-1)?.type, 'refresh-failed');
  });

  it('the standalone server refuses a reused registration challenge and a refresh proof that carries a jwk', async () => {
    const browser = new Browser(server.url);
    const login = await browser.get('/login?user=zoe');
    const [offer] = readRegistration(login.headers, `${server.url}/login`);
    const key = await generateDbscKey();
    const proof = await registrationProof(key, offer!.challenge!);
    const first = await browser.post(offer!.endpoint, { headers: { 'secure-session-response': proof } });
    assert.equal(first.status, 200);
    const again = await browser.post(offer!.endpoint, { headers: { 'secure-session-response': proof } });
    assert.equal(again.status, 400);

    const id = (JSON.parse(first.body) as { session_identifier: string }).session_identifier;
    const ask = await browser.post('/dbsc/refresh', { headers: { 'sec-secure-session-id': id } });
    const [challenge] = readChallenges(ask.headers);
    assert.equal(ask.status, 403);
    const withJwk = await signDbscJws(key, { alg: 'ES256', typ: 'dbsc+jwt', jwk: key.jwk }, { jti: challenge!.challenge });
    const refused = await browser.post('/dbsc/refresh', { headers: { 'sec-secure-session-id': id, 'secure-session-response': withJwk } });
    assert.equal(refused.status, 403);
    assert.match(String(server.log.at(-1)?.note), /must not carry jwk/);
  });
});
