// Issue #16's browser proof: the demo (examples/auth-app, DBSC on with its defaults) in real
// Chromium (Debian's, through playwright-core), over https://localhost with the certificate that
// launchChromiumForDbsc() makes trusted. The bound cookie's life runs on the demo's injected clock:
// the test moves it on, no sleeps. docs/dbsc-browser-notes.md says why each launch flag is needed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Cookie, Page } from 'playwright-core';
import { startTestApp } from '../../examples/auth-app/test-server.js';
import type { LoggedExchange, TestApp } from '../../examples/auth-app/test-server.js';
import { DBSC_FEATURES, launchChromiumForDbsc } from '../support/chromium-dbsc.js';
import type { DbscChromium } from '../support/chromium-dbsc.js';

const SESSION_COOKIE = '__Host-sid';
const BOUND_COOKIE = '__Host-sid-bound';
/** The demo's default `boundLifetime` (seconds). */
const BOUND_LIFETIME = 600;
const PASSWORD = 'correct horse battery';

/**
 * No browser, no openssl or a failed launch: a skip outside CI, a failure under CI. A browser that
 * runs but does not register (the build cannot do DBSC): a skip everywhere, with what was tried.
 */
// The file signs more proofs than Chromium's per-site refresh quota allows in real time (the fake
// clock moves through many bound-cookie lifetimes within seconds), so the quota is lifted.
const launched = await launchChromiumForDbsc({ features: DBSC_FEATURES.map((f) => (f === 'DeviceBoundSessions' ? 'DeviceBoundSessions:RefreshQuota/false' : f)) });
let skip: string | false = false;
if (!launched.ok) {
  if (launched.kind === 'environment' && process.env.CI) throw new Error(`${launched.reason}; CI is set, so this is a failure, not a skip`);
  skip = launched.reason;
  console.warn(`# skipping: ${launched.reason}`);
}

const cookieOf = async (context: BrowserContext, name: string): Promise<Cookie | undefined> => (await context.cookies()).find((c) => c.name === name);
const line = (e: LoggedExchange): string => `${e.method} ${e.path} ${e.status}`;
/** The DBSC session a refresh names (`Sec-Secure-Session-Id`, quotes off); '' for other requests. */
const idOf = (e: LoggedExchange): string => String(e.request['sec-secure-session-id'] ?? '').replace(/^"|"$/g, '');
/** Exchanges from index `from` on, the browser's own favicon requests left out. */
let pageExchanges: (from: number) => LoggedExchange[] = () => [];
/** The JWS header of a compact JWS. */
const jwsHeader = (jws: string): Record<string, unknown> => JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;

/** Waits until the server has logged an exchange that `match` accepts (the browser's DBSC requests run beside the page's). */
async function waitForExchange(app: TestApp, match: (e: LoggedExchange) => boolean, timeoutMs: number): Promise<LoggedExchange> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = app.log.find(match);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`no such exchange within ${timeoutMs} ms; the log: ${app.log.map(line).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('DBSC in Chromium: the demo app (examples/auth-app)', { timeout: 120_000 }, () => {
  let chromium: DbscChromium;
  let app: TestApp;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    if (!launched.ok) return;
    chromium = launched.chromium;
    // The idle timeout outlasts the two bound-cookie lifetimes the test moves the clock through.
    app = await startTestApp({ tls: chromium.tls, idleTimeout: 4 * BOUND_LIFETIME });
    pageExchanges = (from) => app.log.slice(from).filter((e) => e.path !== '/favicon.ico');
    context = await chromium.browser.newContext();
    context.setDefaultTimeout(20_000);
    page = await context.newPage();
  });

  after(async () => {
    await context?.close();
    await chromium?.close();
    await app?.close();
  });

  it('1. login: Chromium registers a fresh key at /dbsc/register and the devices page says "This device is bound"', { skip }, async () => {
    await page.goto(`${app.url}/register`);
    await page.fill('#username', 'ada');
    await page.fill('#displayName', 'Ada Lovelace');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(/\/login\?username=/), page.click('#register-form button[type=submit]')]);
    await page.fill('#username', 'ada');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(/\/profile$/), page.click('#login-form button[type=submit]')]);
    assert.equal(await page.textContent('#display-name'), 'Ada Lovelace');

    const login = app.log.find((e) => e.method === 'POST' && e.path === '/login')!;
    assert.match(String(login.response['secure-session-registration']), /^\(ES256 RS256\);path="\/dbsc\/register";challenge="/);
    const registration = await waitForExchange(app, (e) => e.path === '/dbsc/register', 20_000);
    assert.equal(line(registration), 'POST /dbsc/register 200');
    const proof = String(registration.request['secure-session-response']);
    assert.match(proof, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'Chromium sends the proof as a bare JWS');
    const header = jwsHeader(proof);
    assert.equal(header.typ, 'dbsc+jwt');
    assert.equal(header.alg, 'ES256');
    assert.equal((header.jwk as { kty?: string } | undefined)?.kty, 'EC');
    assert.match(String(registration.response['set-cookie']), new RegExp(`^${BOUND_COOKIE}=`));

    const bound = await cookieOf(context, BOUND_COOKIE);
    assert.ok(bound, 'Chromium stored the bound cookie');
    assert.deepEqual([bound.secure, bound.httpOnly, bound.sameSite, bound.path], [true, true, 'Lax', '/']);
    await page.goto(`${app.url}/devices`);
    assert.match((await page.textContent('#binding')) ?? '', /This device is bound\./);
    assert.match((await page.textContent('#devices tr.device.current')) ?? '', /Bound to its device/);
  });

  it('2. refresh: past the bound cookie\'s life (server clock), the demo answers 307 and Chromium refreshes through /dbsc/refresh first, with the challenge sent ahead of time', { skip }, async () => {
    const previous = (await cookieOf(context, BOUND_COOKIE))?.value;
    const registration = app.log.find((e) => e.path === '/dbsc/register')!;
    assert.ok(registration.response['secure-session-challenge'], 'the registration sent the next challenge ahead of time');
    const from = app.log.length;
    app.clock.advance(BOUND_LIFETIME + 1);
    await page.goto(`${app.url}/profile`);
    assert.ok(page.url().endsWith('/profile'), `Chromium ended on ${page.url()}`);
    assert.equal(await page.textContent('#display-name'), 'Ada Lovelace', 'still logged in');

    const exchanges = pageExchanges(from);
    assert.deepEqual(exchanges.map(line), ['GET /profile 307', 'POST /dbsc/refresh 200', 'GET /profile 200']);
    const [redirect, refresh] = exchanges;
    assert.match(String(redirect!.response['set-cookie']), new RegExp(`^${BOUND_COOKIE}=; .*Max-Age=0`), 'the 307 clears the stale bound cookie');
    assert.match(String(refresh!.request['sec-secure-session-id']), /^"?[\w-]+"?$/, 'the refresh names the DBSC session');
    assert.match(String(refresh!.request.cookie), new RegExp(`${SESSION_COOKIE}=`), 'with the long-lived cookie');
    const proofHeader = jwsHeader(String(refresh!.request['secure-session-response']));
    assert.deepEqual(proofHeader, { alg: 'ES256', typ: 'dbsc+jwt' }, 'a refresh proof names no jwk');
    assert.match(String(refresh!.response['set-cookie']), new RegExp(`^${BOUND_COOKIE}=`));
    const renewed = (await cookieOf(context, BOUND_COOKIE))?.value;
    assert.ok(renewed && renewed !== previous, 'a new bound cookie');
  });

  it('3. refresh once the challenge sent ahead is stale too: 403 with a new challenge, then 200 with a new bound cookie', { skip }, async () => {
    const previous = (await cookieOf(context, BOUND_COOKIE))?.value;
    const from = app.log.length;
    // Past the bound cookie and the pre-provisioned challenge (boundLifetime + challengeLifetime 120 s).
    app.clock.advance(BOUND_LIFETIME + 121);
    await page.goto(`${app.url}/devices`);
    assert.match((await page.textContent('#binding')) ?? '', /This device is bound\./);
    const exchanges = pageExchanges(from);
    assert.deepEqual(exchanges.map(line), ['GET /devices 307', 'POST /dbsc/refresh 403', 'POST /dbsc/refresh 200', 'GET /devices 200']);
    const [, ask, prove] = exchanges;
    assert.match(String(ask!.response['secure-session-challenge']), /^"[^"]+";id="[^"]+"$/);
    const id = /;id="([^"]+)"$/.exec(String(ask!.response['secure-session-challenge']))![1]!;
    assert.equal(String(ask!.request['sec-secure-session-id']).replace(/^"|"$/g, ''), id, 'the session Chromium names is the one the challenge is for');
    const challenge = /^"([^"]+)"/.exec(String(ask!.response['secure-session-challenge']))![1]!;
    const claims = JSON.parse(Buffer.from(String(prove!.request['secure-session-response']).split('.')[1]!, 'base64url').toString()) as { jti?: string };
    assert.equal(claims.jti, challenge, 'the retry signs the 403\'s challenge');
    const renewed = (await cookieOf(context, BOUND_COOKIE))?.value;
    assert.ok(renewed && renewed !== previous, 'a new bound cookie');
  });

  it('4. theft: the long-lived cookie copied into a fresh context without the key gets no access; with the bound cookie too, only until it expires', { skip }, async () => {
    const stolen = await cookieOf(context, SESSION_COOKIE);
    assert.ok(stolen);
    const thief = await chromium.browser.newContext();
    try {
      await thief.addCookies([stolen]);
      const thiefPage = await thief.newPage();
      let from = app.log.length;
      await thiefPage.goto(`${app.url}/profile`);
      assert.ok(thiefPage.url().endsWith('/login'), `the thief is on ${thiefPage.url()}`);
      assert.equal(await thiefPage.locator('#logout').count(), 0);
      assert.deepEqual(pageExchanges(from).map(line), ['GET /profile 303', 'GET /login 200'], 'no DBSC request from the thief');

      // Both cookies, taken from the device while the bound one was live: access until it expires, then none.
      const thief2 = await chromium.browser.newContext();
      try {
        await thief2.addCookies((await context.cookies()).filter((c) => c.name === SESSION_COOKIE || c.name === BOUND_COOKIE));
        const page2 = await thief2.newPage();
        await page2.goto(`${app.url}/profile`);
        assert.ok(page2.url().endsWith('/profile'), 'within the bound lifetime a full copy works (DBSC limits theft to one bound-cookie lifetime)');
        app.clock.advance(BOUND_LIFETIME + 1);
        from = app.log.length;
        await page2.goto(`${app.url}/profile`);
        assert.ok(page2.url().endsWith('/login'), `the thief is on ${page2.url()}`);
        assert.deepEqual(pageExchanges(from).map(line), ['GET /profile 307', 'GET /profile 303', 'GET /login 200'], 'no refresh: the thief has no DBSC session');
      } finally {
        await thief2.close();
      }

      // The device still refreshes and stays logged in.
      from = app.log.length;
      await page.goto(`${app.url}/profile`);
      assert.equal(await page.textContent('#display-name'), 'Ada Lovelace');
      assert.deepEqual(pageExchanges(from).map(line).slice(0, 2), ['GET /profile 307', 'POST /dbsc/refresh 200']);
    } finally {
      await thief.close();
    }
  });

  it('5. logout, then login again in the same browser: the new session is bound anew, and the old DBSC session ends without costing the new one its access', { skip }, async () => {
    // The first session's DBSC identifier, as its refreshes named it (steps 2 to 4).
    const firstDbscId = idOf(app.log.find((e) => e.path === '/dbsc/refresh')!);
    assert.notEqual(firstDbscId, '');
    await page.goto(`${app.url}/profile`);
    await Promise.all([page.waitForURL((url) => !url.pathname.endsWith('/profile')), page.click('#logout')]);
    assert.equal(await page.locator('#logout').count(), 0, 'logged out');
    const registrations = app.log.filter((e) => e.path === '/dbsc/register').length;
    await page.goto(`${app.url}/login`);
    await page.fill('#username', 'ada');
    await page.fill('#password', PASSWORD);
    const fromLogin = app.log.length;
    // A failure here says what the browser and the server exchanged (a login bounced back to /login, say).
    await Promise.all([page.waitForURL(/\/profile$/), page.click('#login-form button[type=submit]')]).catch((error: unknown) => {
      throw new Error(`the second login did not reach /profile (on ${page.url()}); exchanges: ${pageExchanges(fromLogin).map((e) => `${line(e)} [${idOf(e)}]`).join(', ')}`, { cause: error });
    });
    if (process.env.TESSERA_TRACE_DBSC) console.log(pageExchanges(fromLogin).map((e) => `${line(e)} [${idOf(e)}]`).join(', '));
    const second = await waitForExchange(app, (e) => e.path === '/dbsc/register' && app.log.filter((x) => x.path === '/dbsc/register').indexOf(e) === registrations, 20_000);
    assert.equal(line(second), 'POST /dbsc/register 200', 'the new session registers a key of its own');
    await page.goto(`${app.url}/devices`);
    assert.match((await page.textContent('#binding')) ?? '', /This device is bound\./);

    // Past the bound lifetime the new DBSC session refreshes with its own key. The logged-out one,
    // if Chromium still asks for it, gets no bound cookie (tessera ends it: continue false).
    app.clock.advance(BOUND_LIFETIME + 1);
    const from = app.log.length;
    await page.goto(`${app.url}/devices`);
    const seen = pageExchanges(from);
    const trace = `exchanges: ${seen.map((e) => `${line(e)} [${idOf(e)}]`).join(', ')}`;
    assert.ok(page.url().endsWith('/devices'), `Chromium ended on ${page.url()}; ${trace}`);
    assert.match((await page.textContent('#binding')) ?? '', /This device is bound\./, trace);
    const refreshes = seen.filter((e) => e.path === '/dbsc/refresh');
    const renewing = refreshes.filter((e) => e.status === 200 && new RegExp(`^${BOUND_COOKIE}=[^;]`).test(String(e.response['set-cookie'] ?? '')));
    assert.equal(renewing.length, 1, `one refresh renewed the bound cookie; ${trace}`);
    assert.notEqual(idOf(renewing[0]!), firstDbscId, `the new DBSC session renewed it, not the logged-out one; ${trace}`);
    for (const old of refreshes.filter((e) => idOf(e) === firstDbscId)) assert.doesNotMatch(String(old.response['set-cookie'] ?? ''), new RegExp(`^${BOUND_COOKIE}=[^;]`), trace);
  });

  it('6. the probe can say no: without the DeviceBoundSessions feature the same Chromium does not register', { skip }, async () => {
    const without = await launchChromiumForDbsc({ features: DBSC_FEATURES.filter((f) => f !== 'DeviceBoundSessions'), probeTimeoutMs: 5_000 });
    if (without.ok) await without.chromium.close();
    assert.equal(without.ok, false);
    assert.ok(!without.ok && without.kind === 'unsupported', JSON.stringify(without));
    assert.match(without.reason, /^this Chromium build cannot do DBSC: .*no registration request within 5000 ms/);
  });
});
