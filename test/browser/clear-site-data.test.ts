// SM-30 in real Chromium (Debian's, through playwright-core): `destroy({ clearSiteData: true })`
// has the browser drop the site's storage and cookies at logout, and a flash message started by
// the same response keeps its new session cookie.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { createSessionManager } from '../../src/core/index.js';
import { session } from '../../src/express/index.js';
import { CHROMIUM, CHROMIUM_ARGS, chromiumSkip } from '../support/chromium.js';
import { serve } from '../support/http.js';
import type { RunningServer } from '../support/http.js';

const skip = chromiumSkip();

describe('SM-30 Clear-Site-Data at logout, in Chromium', { skip, timeout: 60_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let base: string;

  before(async () => {
    const manager = createSessionManager({ secrets: 'clear-site-data-browser-secret-0123456789' });
    const app = express();
    app.use(session(manager));
    app.get('/login', (req, res) => {
      req.session.regenerate();
      req.session.set('userId', 'ada');
      res.cookie('theme', 'dark', { path: '/' });
      res.type('html').send('<p>logged in</p>');
    });
    app.get('/logout', (req, res) => {
      req.session.destroy({ clearSiteData: true });
      if (req.query.flash !== undefined) req.session.set('flash', 'Logged out');
      res.type('html').send('<p>logged out</p>');
    });
    app.get('/who', (req, res) => res.json({ userId: req.session.get('userId') ?? null, flash: req.session.get('flash') ?? null }));
    server = await serve(app);
    // Chromium honours Clear-Site-Data only in a secure context: https, or localhost.
    base = server.url.replace('127.0.0.1', 'localhost');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function loggedInPage(): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${base}/login`);
    await page.evaluate("localStorage.setItem('draft', 'a private note')");
    const names = (await page.context().cookies()).map((c) => c.name).sort();
    assert.deepEqual(names, ['__Host-sid', 'theme']);
    return page;
  }
  const who = async (page: Page) => JSON.parse(await (await page.goto(`${base}/who`))!.text()) as { userId: string | null; flash: string | null };

  it('SM-30 a logout with clearSiteData: true empties localStorage and every cookie of the site', async () => {
    const page = await loggedInPage();
    await page.goto(`${base}/logout`);
    assert.equal(await page.evaluate("localStorage.getItem('draft')"), null);
    assert.deepEqual(await page.context().cookies(), []);
    assert.deepEqual(await who(page), { userId: null, flash: null });
  });

  it('SM-30 a logout that starts a flash message clears localStorage and keeps the new session cookie (and the app\'s others)', async () => {
    const page = await loggedInPage();
    const before = (await page.context().cookies()).find((c) => c.name === '__Host-sid')!.value;
    await page.goto(`${base}/logout?flash`);
    assert.equal(await page.evaluate("localStorage.getItem('draft')"), null);
    const after = (await page.context().cookies()).find((c) => c.name === '__Host-sid');
    assert.ok(after !== undefined && after.value !== before, 'a new session cookie');
    assert.ok((await page.context().cookies()).some((c) => c.name === 'theme'), '"cookies" was left out');
    assert.deepEqual(await who(page), { userId: null, flash: 'Logged out' });
  });
});
