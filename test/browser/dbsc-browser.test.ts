// Device Bound Session Credentials in real Chromium (Debian's, through playwright-core), against the
// standalone DBSC server of test/support/dbsc-test-server.ts (to be swapped for tessera's endpoints).
// The bound cookie's life runs on the server's injected clock: the test moves it on, no sleeps.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { DBSC_FEATURES, launchChromiumForDbsc } from '../support/chromium-dbsc.js';
import type { DbscChromium } from '../support/chromium-dbsc.js';
import { BOUND_COOKIE, LONG_COOKIE, startDbscTestServer } from '../support/dbsc-test-server.js';
import type { DbscTestServer, LoggedExchange } from '../support/dbsc-test-server.js';

const BOUND_LIFETIME = 60;

/**
 * No browser, no openssl or a failed launch: a skip outside CI, a failure under CI. A browser that
 * runs but does not register (the build cannot do DBSC): a skip everywhere, with what was tried.
 */
const launched = await launchChromiumForDbsc();
let skip: string | false = false;
if (!launched.ok) {
  if (launched.kind === 'environment' && process.env.CI) throw new Error(`${launched.reason}; CI is set, so this is a failure, not a skip`);
  skip = launched.reason;
  console.warn(`# skipping: ${launched.reason}`);
}

const cookieValue = async (context: BrowserContext, name: string) => (await context.cookies()).find((c) => c.name === name)?.value;
const isPath = (path: string, status?: number) => (e: LoggedExchange) => e.path === path && (status === undefined || e.status === status);

describe('DBSC in Chromium (standalone server)', { timeout: 120_000 }, () => {
  let chromium: DbscChromium;
  let server: DbscTestServer;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    if (!launched.ok) return;
    chromium = launched.chromium;
    server = await startDbscTestServer({ tls: chromium.tls, host: 'localhost', boundLifetime: BOUND_LIFETIME, boundMaxAge: 600 });
    context = await chromium.browser.newContext();
    context.setDefaultTimeout(20_000);
    page = await context.newPage();
  });

  after(async () => {
    await context?.close();
    await chromium?.close();
    await server?.close();
  });

  it('1. login: Chromium takes the offer up, proves possession of a fresh key, and gets the bound cookie', { skip }, async () => {
    await page.goto(`${server.url}/login?user=ada`);
    const registration = await server.waitFor(isPath('/dbsc/register'), 20_000);
    assert.equal(registration.status, 200, registration.note);
    assert.equal(registration.method, 'POST');
    assert.match(String(registration.note), /"typ":"dbsc\+jwt"/);
    assert.match(String(registration.note), /"jwk":\{/);
    const record = [...server.sessions.values()].find((s) => s.user === 'ada');
    assert.ok(record?.key, 'the server bound a key to the session');
    assert.ok(await cookieValue(context, BOUND_COOKIE), 'the bound cookie is in the browser');

    await page.goto(`${server.url}/app`);
    assert.equal(await page.textContent('#state'), 'hello ada (bound); refreshes 0');
  });

  it('2. refresh: once the bound cookie expires (server clock), Chromium defers, answers the challenge and gets a new one', { skip }, async () => {
    const previous = await cookieValue(context, BOUND_COOKIE);
    const from = server.log.length;
    server.advance(BOUND_LIFETIME + 1);
    await page.goto(`${server.url}/app`);
    assert.equal(await page.textContent('#state'), 'hello ada (bound); refreshes 1');

    const exchanges = server.log.slice(from).map((e) => `${e.method} ${e.path} ${e.status}`);
    assert.deepEqual(exchanges, ['GET /app 307', 'POST /dbsc/refresh 403', 'POST /dbsc/refresh 200', 'GET /app 200']);
    const [, ask, prove] = server.log.slice(from);
    assert.ok(ask!.headers['sec-secure-session-id'], 'the refresh names the session');
    assert.equal(ask!.headers['secure-session-response'], undefined, 'the first refresh request carries no proof');
    assert.ok(prove!.headers['secure-session-response'], 'the retry carries the proof');
    assert.doesNotMatch(String(prove!.note), /"jwk"/, 'a refresh proof has no jwk');
    const renewed = await cookieValue(context, BOUND_COOKIE);
    assert.ok(renewed && renewed !== previous, 'a new bound cookie');
  });

  it('3. theft: the long-lived cookie alone, in a fresh context without the key, gets no access', { skip }, async () => {
    const stolen = (await context.cookies()).filter((c) => c.name === LONG_COOKIE);
    assert.equal(stolen.length, 1);
    const thief = await chromium.browser.newContext();
    try {
      await thief.addCookies(stolen);
      const thiefPage = await thief.newPage();
      const refreshesBefore = server.log.filter(isPath('/dbsc/refresh')).length;
      const response = await thiefPage.goto(`${server.url}/app`);
      assert.equal(response?.status(), 403);
      assert.equal(await thiefPage.textContent('#state'), 'bound cookie missing');

      // Both cookies copied, after the bound one expired: the server forces a proof, which the thief cannot give.
      await thief.addCookies((await context.cookies()).filter((c) => c.name === BOUND_COOKIE));
      server.advance(BOUND_LIFETIME + 1);
      const again = await thiefPage.goto(`${server.url}/app`);
      assert.equal(again?.status(), 403);
      assert.equal(server.log.filter(isPath('/dbsc/refresh')).length, refreshesBefore, 'the thief made no refresh');

      // The owner still refreshes.
      await page.goto(`${server.url}/app`);
      assert.equal(await page.textContent('#state'), 'hello ada (bound); refreshes 2');
    } finally {
      await thief.close();
    }
  });

  it('4. the probe can say no: without the DeviceBoundSessions feature the same Chromium does not register', { skip }, async () => {
    const without = await launchChromiumForDbsc({ features: DBSC_FEATURES.filter((f) => f !== 'DeviceBoundSessions'), probeTimeoutMs: 5_000 });
    if (without.ok) await without.chromium.close();
    assert.equal(without.ok, false);
    assert.ok(!without.ok && without.kind === 'unsupported', JSON.stringify(without));
    assert.match(without.reason, /^this Chromium build cannot do DBSC: .*no registration request within 5000 ms/);
  });
});
