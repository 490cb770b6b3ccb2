// The demo app in real Chromium (Debian's, through playwright-core): the login flow of issue 7.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, chromiumSkip } from '../support/chromium.js';
import { startTestApp } from '../../examples/auth-app/test-server.js';
import type { TestApp } from '../../examples/auth-app/test-server.js';

const COOKIE = '__Host-sid';
const IDLE_SECONDS = 600;

/**
 * A fresh machine has no browser until `.ci/run` installs Debian's chromium: outside CI that is a
 * skip with its reason, under CI a failure.
 */
const skip = chromiumSkip();

async function register(page: Page, base: string, username: string, password: string, displayName: string): Promise<void> {
  await page.goto(`${base}/register`);
  await page.fill('#username', username);
  await page.fill('#displayName', displayName);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(/\/login\?username=/), page.click('#register-form button[type=submit]')]);
}

async function login(page: Page, base: string, username: string, password: string, remember = false): Promise<void> {
  await page.goto(`${base}/login`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  if (remember) await page.check('#remember');
  await Promise.all([page.waitForURL(/\/profile$/), page.click('#login-form button[type=submit]')]);
}

async function sessionCookie(context: BrowserContext) {
  return (await context.cookies()).find((c) => c.name === COOKIE);
}

describe('auth-app in Chromium', { timeout: 120_000 }, () => {
  let app: TestApp;
  let browser: Browser;
  let first: BrowserContext;
  let second: BrowserContext;
  let page: Page;
  let base: string;

  before(async () => {
    if (skip) return;
    app = await startTestApp({ idleTimeout: IDLE_SECONDS });
    base = app.url;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      timeout: 30_000,
    });
    first = await browser.newContext();
    first.setDefaultTimeout(10_000);
    page = await first.newPage();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
  });

  it('1. registers, logs in, and the profile shows the data', { skip: skip ?? false }, async () => {
    await register(page, base, 'ada', 'correct horse battery', 'Ada Lovelace');
    assert.match((await page.textContent('#flash')) ?? '', /Your account is ready/);
    await login(page, base, 'ada', 'correct horse battery');
    assert.equal(await page.textContent('#display-name'), 'Ada Lovelace');
    assert.equal(await page.textContent('#username'), 'ada');
    assert.match((await page.textContent('#flash')) ?? '', /Welcome back, Ada Lovelace/);
    assert.match((await page.textContent('#visits')) ?? '', /\/register[\s\S]*\/login[\s\S]*\/profile/);
  });

  it('2. a reload keeps the login, and private pages are not cached', { skip: skip ?? false }, async () => {
    const response = await page.reload();
    assert.ok(response);
    assert.equal(response.headers()['cache-control'], 'no-store');
    assert.ok(page.url().endsWith('/profile'));
    assert.equal(await page.textContent('#display-name'), 'Ada Lovelace');
    assert.equal(await page.locator('#flash').count(), 0, 'the flash was read once');
  });

  it('3. a second browser context logs in as the same user, and the first sees two devices', { skip: skip ?? false }, async () => {
    second = await browser.newContext({ userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0' });
    second.setDefaultTimeout(10_000);
    const other = await second.newPage();
    await login(other, base, 'ada', 'correct horse battery');
    await page.goto(`${base}/devices`);
    assert.equal(await page.locator('#devices tr.device').count(), 2);
    assert.match((await page.textContent('#devices tr.device.current')) ?? '', /Chrome \d+ \(headless\) on Linux/);
    assert.match((await page.textContent('#devices tr.device:not(.current)')) ?? '', /Firefox 133 on Windows/);
  });

  it('4. the first revokes the other, and the other is logged out on its next request', { skip: skip ?? false }, async () => {
    await Promise.all([page.waitForURL(/\/devices$/), page.click('#devices tr.device:not(.current) button')]);
    assert.match((await page.textContent('#flash')) ?? '', /That device is logged out/);
    assert.equal(await page.locator('#devices tr.device').count(), 1);
    const other = second.pages()[0]!;
    await other.reload();
    assert.ok(other.url().endsWith('/login'), `the other device is on ${other.url()}`);
    assert.match((await other.textContent('#flash')) ?? '', /Please log in/);
    await second.close();
  });

  it('5. logout clears the session cookie, and the back button shows no private page', { skip: skip ?? false }, async () => {
    await page.goto(`${base}/profile`);
    const before = await sessionCookie(first);
    assert.ok(before);
    const [logout] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/logout')),
      page.click('#logout'),
    ]);
    assert.equal(logout.status(), 303);
    await page.waitForURL(/\/login$/);
    assert.match((await page.textContent('#flash')) ?? '', /You are logged out/);
    const afterLogout = await sessionCookie(first);
    assert.notEqual(afterLogout?.value, before.value, 'the logged-in cookie is gone');

    await page.goBack();
    assert.ok(page.url().endsWith('/login'), `back went to ${page.url()}`);
    assert.equal(await page.locator('#display-name').count(), 0);
    assert.doesNotMatch((await page.content()), /Ada Lovelace/);

    // The old cookie, replayed by hand, is dead on the server too.
    const replay = await browser.newContext();
    await replay.addCookies([{ ...before, expires: -1 }]);
    const replayPage = await replay.newPage();
    await replayPage.goto(`${base}/profile`);
    assert.ok(replayPage.url().endsWith('/login'));
    await replay.close();
  });

  it('6. the idle timeout is honoured', { skip: skip ?? false }, async () => {
    await login(page, base, 'ada', 'correct horse battery');
    app.clock.advance(IDLE_SECONDS - 60);
    await page.reload();
    assert.ok(page.url().endsWith('/profile'), 'still logged in just before the deadline');
    app.clock.advance(IDLE_SECONDS + 1);
    await page.reload();
    assert.ok(page.url().endsWith('/login'), `after the idle timeout: ${page.url()}`);
    assert.match((await page.textContent('#flash')) ?? '', /Please log in/);
  });

  it('7. the cookie the browser stored is HttpOnly, Secure, SameSite=Lax, host-only, Path=/', { skip: skip ?? false }, async () => {
    await login(page, base, 'ada', 'correct horse battery');
    const cookie = await sessionCookie(first);
    assert.ok(cookie);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.secure, true);
    assert.equal(cookie.sameSite, 'Lax');
    assert.equal(cookie.domain, new URL(base).hostname, 'no Domain attribute: a host-only cookie');
    assert.equal(cookie.path, '/');
    assert.equal(cookie.expires, -1, 'a browser-session cookie without remember me');
    assert.equal(await page.evaluate('document.cookie'), '', 'invisible to scripts');

    const remembered = await browser.newContext();
    const remPage = await remembered.newPage();
    await login(remPage, base, 'ada', 'correct horse battery', true);
    const persistent = await sessionCookie(remembered);
    assert.ok(persistent && persistent.expires > Date.now() / 1000, 'remember me: the cookie outlives the browser session');
    await remembered.close();
  });

  it('8. a forged cookie gives a logged-out visitor', { skip: skip ?? false }, async () => {
    const forged = await browser.newContext();
    const value = `${randomBytes(32).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
    await forged.addCookies([{ name: COOKIE, value, domain: new URL(base).hostname, path: '/', expires: -1, secure: true, httpOnly: true, sameSite: 'Lax' }]);
    assert.equal((await sessionCookie(forged))?.value, value, 'the browser holds the forged cookie');
    const forgedPage = await forged.newPage();
    await forgedPage.goto(`${base}/profile`);
    assert.ok(forgedPage.url().endsWith('/login'));
    assert.equal(await forgedPage.locator('#logout').count(), 0);
    assert.notEqual((await sessionCookie(forged))?.value, value, 'the forged cookie was replaced');
    await forged.close();
  });
});
