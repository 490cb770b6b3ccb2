// DBSC protocol tests (DB-01 ... DB-18, listed in docs/security.md): a client on Web Crypto
// (test/support/dbsc-proof.ts) against the endpoints and the bound-cookie check, over real HTTP
// with a real cookie jar, through the Express adapter and the Fetch adapter.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deviceKey, parseChallenge, parseRegistration, quoted, refreshProof, registrationProof, unsignedProof } from '../support/dbsc-proof.js';
import type { DeviceKey } from '../support/dbsc-proof.js';
import type { Browser, BrowserResponse } from '../support/http.js';
import { startApp } from './harness.js';
import type { AdapterName, DbscApp } from './harness.js';

const BOUND = '__Host-sid-bound';

async function login(browser: Browser): Promise<{ path: string; challenge: string; algorithms: string[]; response: BrowserResponse }> {
  const response = await browser.post('/login');
  const offer = parseRegistration(response.headers.get('secure-session-registration'));
  assert.ok(offer, 'the login response offers registration');
  return { ...offer, response };
}

const register = async (browser: Browser, proof: string, header = 'secure-session-response'): Promise<BrowserResponse> =>
  browser.post('/dbsc/register', { headers: { [header]: quoted(proof) } });

/** Logs in and registers `key`: the DBSC session identifier. */
async function bind(browser: Browser, key: DeviceKey): Promise<string> {
  const offer = await login(browser);
  const response = await register(browser, await registrationProof(key, offer.challenge));
  assert.equal(response.status, 200, response.body);
  return (JSON.parse(response.body) as { session_identifier: string }).session_identifier;
}

const refreshHeaders = (id: string, proof?: string): Record<string, string> => ({ 'sec-secure-session-id': quoted(id), ...(proof ? { 'secure-session-response': quoted(proof) } : {}) });

/** A full refresh as Chromium does it: a 403 with a challenge, then the signed challenge. */
async function refresh(browser: Browser, key: DeviceKey, id: string): Promise<BrowserResponse> {
  const first = await browser.post('/dbsc/refresh', { headers: refreshHeaders(id) });
  assert.equal(first.status, 403);
  const challenge = parseChallenge(first.headers.get('secure-session-challenge'));
  assert.ok(challenge);
  assert.equal(challenge.id, id);
  return browser.post('/dbsc/refresh', { headers: refreshHeaders(id, await refreshProof(key, challenge.challenge)) });
}

/** The 307 a GET with an expired bound cookie gets (same URL, the bound cookie cleared), then `me` without it. */
async function meAfterExpiry(browser: Browser): Promise<{ user: string | null; bound: boolean; note: string | null }> {
  assert.ok(await browser.cookie(BOUND), 'the client still holds the expired bound cookie');
  const redirect = await browser.get('/me?x=1');
  assert.equal(redirect.status, 307);
  assert.equal(redirect.headers.get('location'), '/me?x=1');
  assert.equal(await browser.cookie(BOUND), undefined, 'the 307 cleared the bound cookie');
  return me(browser);
}

const me = async (browser: Browser): Promise<{ user: string | null; bound: boolean; note: string | null }> => JSON.parse((await browser.get('/me')).body);

for (const adapter of ['express', 'fetch'] as AdapterName[]) {
  describe(`DBSC protocol over the ${adapter} adapter`, () => {
    let app: DbscApp;
    let es: DeviceKey;
    let rs: DeviceKey;
    before(async () => {
      app = await startApp(adapter);
      [es, rs] = await Promise.all([deviceKey('ES256'), deviceKey('RS256')]);
    });
    after(() => app.close());

    it('DB-01 login (regenerate with a user) offers registration, under both header names; an anonymous response does not', async () => {
      const browser = app.browser();
      const anonymous = await browser.post('/note');
      assert.equal(anonymous.headers.get('secure-session-registration'), null);
      const offer = await login(browser);
      assert.deepEqual(offer.algorithms, ['ES256', 'RS256']);
      assert.equal(offer.path, '/dbsc/register');
      assert.equal(offer.response.headers.get('sec-session-registration'), offer.response.headers.get('secure-session-registration'));
      assert.match(offer.response.headers.get('cache-control') ?? '', /no-store/);
      assert.deepEqual(await me(browser), { user: 'ada', bound: false, note: 'hello' });
    });

    it('DB-02 ES256 registration binds the key: JSON instructions, no-store, a short-lived bound cookie whose attributes match the instructions', async () => {
      const browser = app.browser();
      const offer = await login(browser);
      const response = await register(browser, await registrationProof(es, offer.challenge));
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/json');
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const body = JSON.parse(response.body) as { session_identifier: string; refresh_url: string; continue: boolean; scope: { include_site: boolean }; credentials: Array<{ type: string; name: string; attributes: string }> };
      assert.equal(body.refresh_url, '/dbsc/refresh');
      assert.equal(body.continue, true);
      assert.equal(body.scope.include_site, false);
      assert.equal(body.credentials[0]!.name, BOUND);
      const setCookie = response.setCookie.find((c) => c.startsWith(`${BOUND}=`))!;
      assert.match(setCookie, /Max-Age=600/);
      const attributes = setCookie.split('; ').slice(1).filter((a) => !/^(Max-Age|Expires)=/.test(a));
      assert.deepEqual(attributes, body.credentials[0]!.attributes.split('; '));
      assert.ok(parseChallenge(response.headers.get('secure-session-challenge')), 'a challenge is provisioned for the next refresh');
      assert.deepEqual(await me(browser), { user: 'ada', bound: true, note: null });
      assert.ok(app.events.some((e) => e.type === 'dbsc_bound'));
    });

    it('DB-03 RS256: register, then refresh with a 403 challenge and a signed proof', async () => {
      const browser = app.browser();
      const id = await bind(browser, rs);
      app.clock.advance(601);
      assert.deepEqual(await meAfterExpiry(browser), { user: null, bound: false, note: null }, 'an expired bound cookie gives no access');
      const response = await refresh(browser, rs, id);
      assert.equal(response.status, 200, response.body);
      assert.equal((JSON.parse(response.body) as { session_identifier: string }).session_identifier, id);
      assert.deepEqual(await me(browser), { user: 'ada', bound: true, note: null });
    });

    it('DB-04 a pre-provisioned challenge refreshes without the 403 round trip; a stale one gets a new challenge', async () => {
      const browser = app.browser();
      const offer = await login(browser);
      const registered = await register(browser, await registrationProof(es, offer.challenge));
      const provisioned = parseChallenge(registered.headers.get('secure-session-challenge'))!;
      app.clock.advance(590);
      const early = await browser.post('/dbsc/refresh', { headers: refreshHeaders(provisioned.id, await refreshProof(es, provisioned.challenge)) });
      assert.equal(early.status, 200);
      const next = parseChallenge(early.headers.get('secure-session-challenge'))!;
      app.clock.advance(600 + 120 + 1);
      const stale = await browser.post('/dbsc/refresh', { headers: refreshHeaders(next.id, await refreshProof(es, next.challenge)) });
      assert.equal(stale.status, 403);
      assert.ok(parseChallenge(stale.headers.get('secure-session-challenge')));
    });

    it('DB-05 a replayed refresh proof (its challenge already used) is refused with a new challenge', async () => {
      const browser = app.browser();
      const id = await bind(browser, es);
      const first = await browser.post('/dbsc/refresh', { headers: refreshHeaders(id) });
      const proof = await refreshProof(es, parseChallenge(first.headers.get('secure-session-challenge'))!.challenge);
      assert.equal((await browser.post('/dbsc/refresh', { headers: refreshHeaders(id, proof) })).status, 200);
      const replay = await browser.post('/dbsc/refresh', { headers: refreshHeaders(id, proof) });
      assert.equal(replay.status, 403);
      assert.equal(replay.setCookie.length, 0, 'no bound cookie for a replay');
    });

    it('DB-06 a proof for another session is refused (registration and refresh)', async () => {
      const alice = app.browser();
      const mallory = app.browser();
      const aliceOffer = await login(alice);
      await login(mallory);
      const stolen = await register(mallory, await registrationProof(es, aliceOffer.challenge));
      assert.equal(stolen.status, 403, "another session's registration challenge");
      const malloryId = await bind(mallory, es);
      const other = await bindAndChallenge(app, es);
      const crossed = await mallory.post('/dbsc/refresh', { headers: refreshHeaders(malloryId, await refreshProof(es, other)) });
      assert.equal(crossed.status, 403, 'a challenge issued to another DBSC session');
      assert.equal(crossed.setCookie.length, 0);
    });

    it('DB-07 a registration challenge is single use: the session stays bound to the first key', async () => {
      const browser = app.browser();
      const offer = await login(browser);
      const first = await register(browser, await registrationProof(es, offer.challenge));
      assert.equal(first.status, 200);
      const other = await deviceKey('ES256');
      const again = await register(browser, await registrationProof(other, offer.challenge));
      assert.equal(again.status, 403);
      const id = (JSON.parse(first.body) as { session_identifier: string }).session_identifier;
      app.clock.advance(601);
      const hijack = await refresh(browser, other, id);
      assert.equal(JSON.parse(hijack.body).continue, false, 'the second key is not the bound one');
      assert.equal((await refresh(browser, es, id)).status, 200);
    });

    it('DB-08 concurrent registrations with one challenge: exactly one binds', async () => {
      const browser = app.browser();
      const offer = await login(browser);
      const keys = await Promise.all([deviceKey('ES256'), deviceKey('ES256'), deviceKey('ES256'), deviceKey('ES256')]);
      const proofs = await Promise.all(keys.map((key) => registrationProof(key, offer.challenge)));
      const answers = await Promise.all(proofs.map((proof) => register(browser, proof)));
      assert.deepEqual(answers.map((a) => a.status).sort(), [200, 403, 403, 403]);
    });

    it('DB-09 concurrent refreshes with one proof: exactly one new bound cookie', async () => {
      const browser = app.browser();
      const id = await bind(browser, es);
      const first = await browser.post('/dbsc/refresh', { headers: refreshHeaders(id) });
      const proof = await refreshProof(es, parseChallenge(first.headers.get('secure-session-challenge'))!.challenge);
      const answers = await Promise.all([1, 2, 3, 4].map(() => browser.post('/dbsc/refresh', { headers: refreshHeaders(id, proof) })));
      assert.deepEqual(answers.map((a) => a.status).sort(), [200, 403, 403, 403]);
    });

    it('DB-10 a wrong algorithm, a typ other than dbsc+jwt, a private or missing jwk are refused at registration', async () => {
      const browser = app.browser();
      const offer = await login(browser);
      const es384 = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign']);
      const jwk384 = await crypto.subtle.exportKey('jwk', es384.publicKey);
      const { signJws } = await import('../support/dbsc-proof.js');
      const wrongAlg = await signJws({ ...es, alg: 'ES256' }, { alg: 'ES384', typ: 'dbsc+jwt', jwk: jwk384 }, { jti: offer.challenge });
      const wrongTyp = await signJws(es, { alg: 'ES256', typ: 'JWT', jwk: es.publicJwk }, { jti: offer.challenge });
      const noJwk = await signJws(es, { alg: 'ES256', typ: 'dbsc+jwt' }, { jti: offer.challenge });
      const privateJwk = await signJws(es, { alg: 'ES256', typ: 'dbsc+jwt', jwk: { ...es.publicJwk, d: 'AAAA' } }, { jti: offer.challenge });
      const otherKey = await deviceKey('ES256');
      const notSelfSigned = await signJws(otherKey, { alg: 'ES256', typ: 'dbsc+jwt', jwk: es.publicJwk }, { jti: offer.challenge });
      const weakRsa = await registrationProof(await deviceKey('RS256', 1024), offer.challenge);
      for (const proof of [wrongAlg, wrongTyp, noJwk, privateJwk, notSelfSigned, weakRsa]) assert.equal((await register(browser, proof)).status, 403);
      assert.equal((await register(browser, unsignedProof({}, offer.challenge).slice(0, 10))).status, 403, 'a garbled proof');
      assert.equal((await browser.post('/dbsc/register', { headers: { 'secure-session-response': 'not a jws' } })).status, 400, 'no proof at all');
      assert.equal((await register(browser, await registrationProof(es, offer.challenge))).status, 200, 'the offer still works after the refusals');
    });

    it('DB-11 alg none is refused at registration and at refresh', async () => {
      const browser = app.browser();
      const offer = await login(browser);
      assert.equal((await register(browser, unsignedProof({}, offer.challenge))).status, 403);
      const id = await bind(browser, es);
      const first = await browser.post('/dbsc/refresh', { headers: refreshHeaders(id) });
      const challenge = parseChallenge(first.headers.get('secure-session-challenge'))!.challenge;
      const none = await browser.post('/dbsc/refresh', { headers: refreshHeaders(id, unsignedProof({}, challenge)) });
      assert.equal(JSON.parse(none.body).continue, false);
      assert.ok(app.events.some((e) => e.type === 'dbsc_proof_failed'));
    });

    it('DB-26 a request racing the registration (no bound cookie at all, within 5 s of it) counts; a wrong bound cookie never does; after 5 s none does', async () => {
      const browser = app.browser();
      await bind(browser, es);
      const sid = await browser.cookie('__Host-sid');
      assert.equal(JSON.parse((await browser.get('/me', { cookie: `__Host-sid=${sid}` })).body).user, 'ada', 'the login redirect that left before the bound cookie arrived');
      const forged = await browser.get('/me', { cookie: `__Host-sid=${sid}; ${BOUND}=${(app.clock.now() + 60_000).toString(36)}.${'A'.repeat(43)}` });
      assert.equal(JSON.parse(forged.body).user, null, 'a wrong bound cookie is refused, race or not');
      app.clock.advance(5);
      assert.equal(JSON.parse((await browser.get('/me', { cookie: `__Host-sid=${sid}` })).body).user, null);
      assert.equal((await me(browser)).user, 'ada', 'the device, with its bound cookie, goes on');
    });

    it('DB-27 a login clears the bound cookie an earlier session of the browser left: the new session, bound before the login redirect arrives, still counts', async () => {
      const browser = app.browser();
      await bind(browser, es);
      assert.ok(await browser.cookie(BOUND), 'the first session left its bound cookie');
      await browser.post('/logout');
      const offer = await login(browser);
      assert.ok(offer.response.setCookie.some((c) => c.startsWith(`${BOUND}=;`) && /Max-Age=0/.test(c)), offer.response.setCookie.join(' | '));
      assert.equal(await browser.cookie(BOUND), undefined, 'the old bound cookie is gone with the login response');
      // Chromium binds in the background: the redirect's request can reach the server after the key
      // is bound but before the new bound cookie is stored, carrying whatever bound cookie it still has.
      const sid = await browser.cookie('__Host-sid');
      const response = await register(browser, await registrationProof(es, offer.challenge));
      assert.equal(response.status, 200, response.body);
      assert.equal(JSON.parse((await browser.get('/me', { cookie: `__Host-sid=${sid}` })).body).user, 'ada', 'no stale bound cookie: the request racing the registration counts (DB-26)');
      assert.equal((await me(browser)).user, 'ada');
    });

    it('DB-12 a bound session without its bound cookie gives no access (once the registration race is over), and its record is left for the device', async () => {
      const browser = app.browser();
      const id = await bind(browser, es);
      const sid = await browser.cookie('__Host-sid');
      app.clock.advance(5); // past REGISTRATION_RACE_MS (DB-26)
      const bare = await browser.get('/me', { cookie: `__Host-sid=${sid}` });
      assert.deepEqual(JSON.parse(bare.body), { user: null, bound: false, note: null });
      assert.equal(bare.setCookie.length, 0, 'the long-lived cookie is not cleared');
      assert.ok(app.events.some((e) => e.type === 'dbsc_refused'));
      assert.deepEqual(await me(browser), { user: 'ada', bound: true, note: null });
      assert.ok(id);
    });

    it('DB-13 a stolen long-lived cookie replayed after the bound cookie expired gives no access; the device refreshes and goes on', async () => {
      const device = app.browser();
      const id = await bind(device, es);
      const thief = app.browser();
      for (const cookie of await device.jar.getCookies(device.baseUrl)) await thief.jar.setCookie(cookie.clone()!, device.baseUrl);
      assert.equal((await me(thief)).user, 'ada', 'within the bound lifetime a full copy of the cookies works (DBSC limits theft to one bound-cookie lifetime)');
      app.clock.advance(601);
      assert.deepEqual(await meAfterExpiry(thief), { user: null, bound: false, note: null });
      const thiefRefresh = await thief.post('/dbsc/refresh', { headers: refreshHeaders(id) });
      assert.equal(thiefRefresh.status, 403, 'the thief gets a challenge it cannot sign');
      const forged = await thief.post('/dbsc/refresh', { headers: refreshHeaders(id, await refreshProof(await deviceKey('ES256'), parseChallenge(thiefRefresh.headers.get('secure-session-challenge'))!.challenge)) });
      assert.equal(JSON.parse(forged.body).continue, false);
      assert.deepEqual(await me(thief), { user: null, bound: false, note: null });
      assert.equal((await refresh(device, es, id)).status, 200);
      assert.deepEqual(await me(device), { user: 'ada', bound: true, note: null });
    });

    it('DB-24 an expired bound cookie on a GET or HEAD answers 307 to the same URL clearing it, so that the browser refreshes first; POST, a live bound cookie and the endpoints are left alone', async () => {
      const device = app.browser();
      const id = await bind(device, es);
      const live = await device.get('/me');
      assert.equal(live.status, 200, 'a live bound cookie passes through');
      const fresh = await device.cookie(BOUND);
      app.clock.advance(601);
      const head = await device.request('/me', { method: 'HEAD' });
      assert.equal(head.status, 307);
      await device.jar.setCookie(`${BOUND}=${fresh!}; Path=/; Secure; HttpOnly; SameSite=Lax`, device.baseUrl);
      const post = await device.post('/me');
      assert.notEqual(post.status, 307, 'a POST is not redirected (the session just does not count)');
      await device.jar.setCookie(`${BOUND}=${fresh!}; Path=/; Secure; HttpOnly; SameSite=Lax`, device.baseUrl);
      const redirect = await device.get('/somewhere?a=1&b=2');
      assert.equal(redirect.status, 307);
      assert.equal(redirect.headers.get('location'), '/somewhere?a=1&b=2');
      assert.equal(redirect.headers.get('cache-control'), 'no-store');
      assert.match(redirect.setCookie.join('\n'), new RegExp(`^${BOUND}=; .*Max-Age=0`));
      // What Chromium does before following it: the refresh, then the same URL with the new bound cookie.
      assert.equal((await refresh(device, es, id)).status, 200);
      assert.deepEqual(await me(device), { user: 'ada', bound: true, note: null });
      // A value that is not a bound cookie, or one of the future, is not redirected; neither is a refresh.
      const other = app.browser();
      for (const value of ['garbage', `${(app.clock.now() + 60_000).toString(36)}.${'A'.repeat(43)}`]) {
        assert.equal((await other.get('/me', { cookie: `${BOUND}=${value}` })).status, 200, value);
      }
      assert.equal((await other.get('/me', { cookie: `${BOUND}=${(app.clock.now() - 1).toString(36)}.${'A'.repeat(43)}` })).status, 307, 'a stale one is cleared whatever its tag: no store read');
      assert.notEqual((await other.post('/dbsc/refresh', { cookie: `${BOUND}=${(app.clock.now() - 1).toString(36)}.${'A'.repeat(43)}` })).status, 307);
    });

    it('DB-14 refresh needs Sec-Secure-Session-Id (400 before any lookup) matching the session (else continue: false)', async () => {
      const browser = app.browser();
      await bind(browser, es);
      assert.equal((await browser.post('/dbsc/refresh')).status, 400);
      const wrong = await browser.post('/dbsc/refresh', { headers: refreshHeaders('AAAAAAAAAAAAAAAAAAAAAAAA') });
      assert.equal(wrong.status, 200);
      assert.equal(JSON.parse(wrong.body).continue, false);
      assert.equal((await browser.get('/dbsc/refresh')).status, 405);
    });

    it('DB-15 refresh is rate-limited per DBSC session (429, which the browser retries later)', async () => {
      const limited = await startApp(adapter, {}, { rateLimit: { max: 3, window: 60 } });
      try {
        const browser = limited.browser();
        const id = await bind(browser, es);
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) statuses.push((await browser.post('/dbsc/refresh', { headers: refreshHeaders(id) })).status);
        assert.deepEqual(statuses, [403, 403, 403, 429]);
        limited.clock.advance(61);
        assert.equal((await browser.post('/dbsc/refresh', { headers: refreshHeaders(id) })).status, 403);
      } finally {
        await limited.close();
      }
    });

    it('DB-16 the endpoints send no CORS header to a foreign origin, and refuse framing and caching', async () => {
      const browser = app.browser();
      const id = await bind(browser, es);
      const answer = await browser.post('/dbsc/refresh', { headers: { ...refreshHeaders(id), origin: 'https://evil.example' } });
      assert.equal(answer.headers.get('access-control-allow-origin'), null);
      assert.equal(answer.headers.get('access-control-allow-credentials'), null);
      assert.equal(answer.headers.get('x-frame-options'), 'DENY');
      assert.equal(answer.headers.get('cross-origin-resource-policy'), 'same-origin');
      assert.equal(answer.headers.get('cache-control'), 'no-store');
    });

    it('DB-17 the legacy Sec-Session-* names are accepted inbound (bare or quoted) and emitted beside the new ones', async () => {
      const browser = app.browser();
      const offer = await login(browser);
      const proof = await registrationProof(es, offer.challenge);
      const registered = await browser.post('/dbsc/register', { headers: { 'sec-session-response': proof } });
      assert.equal(registered.status, 200);
      const id = (JSON.parse(registered.body) as { session_identifier: string }).session_identifier;
      const first = await browser.post('/dbsc/refresh', { headers: { 'sec-session-id': id } });
      assert.equal(first.headers.get('sec-session-challenge'), first.headers.get('secure-session-challenge'));
      const challenge = parseChallenge(first.headers.get('sec-session-challenge'))!.challenge;
      const done = await browser.post('/dbsc/refresh', { headers: { 'sec-session-id': quoted(id), 'sec-session-response': await refreshProof(es, challenge) } });
      assert.equal(done.status, 200);
    });

    it('DB-18 logout ends the DBSC session at the next refresh; regenerate() on a bound session starts unbound and offers a new registration', async () => {
      const browser = app.browser();
      const id = await bind(browser, es);
      const relogin = await browser.post('/login');
      assert.ok(parseRegistration(relogin.headers.get('secure-session-registration')));
      assert.deepEqual(await me(browser), { user: 'ada', bound: false, note: null });
      const old = await browser.post('/dbsc/refresh', { headers: refreshHeaders(id) });
      assert.equal(JSON.parse(old.body).continue, false, 'the old DBSC session is over');
      const id2 = await bind(browser, es);
      await browser.post('/logout');
      const ended = await browser.post('/dbsc/refresh', { headers: refreshHeaders(id2) });
      assert.equal(JSON.parse(ended.body).continue, false);
    });

    it('DB-23 a failing store answers 503 with Retry-After (the browser tries later), never continue: false', async () => {
      const browser = app.browser();
      const id = await bind(browser, es);
      const store = app.store as { get: (key: string) => unknown };
      const get = store.get;
      store.get = () => {
        throw new Error('store down');
      };
      try {
        const answer = await browser.post('/dbsc/refresh', { headers: refreshHeaders(id) });
        assert.equal(answer.status, 503);
        assert.equal(answer.headers.get('retry-after'), '1');
      } finally {
        store.get = get;
      }
      assert.equal((await browser.post('/dbsc/refresh', { headers: refreshHeaders(id) })).status, 403, 'back to normal');
    });
  });
}

/** A challenge issued to a freshly bound session of another browser. */
async function bindAndChallenge(app: DbscApp, key: DeviceKey): Promise<string> {
  const browser = app.browser();
  const id = await bind(browser, key);
  const first = await browser.post('/dbsc/refresh', { headers: refreshHeaders(id) });
  return parseChallenge(first.headers.get('secure-session-challenge'))!.challenge;
}
