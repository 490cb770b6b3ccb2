// Screenshots of the demo's main pages for the README: `npx tsx scripts/screenshots.ts`.
// Runs the app on 127.0.0.1 (temporary SQLite file) and Debian's Chromium; writes docs/images/*.png.
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import { startTestApp } from '../examples/auth-app/test-server.js';

const OUT = new URL('../docs/images/', import.meta.url).pathname;
const VIEWPORT = { width: 960, height: 720 };

async function login(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.fill('#username', 'ada');
  await page.fill('#password', 'correct horse battery');
  await Promise.all([page.waitForURL(/\/profile$/), page.click('#login-form button[type=submit]')]);
}

const app = await startTestApp({ idleTimeout: 3600 });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  timeout: 30_000,
});
try {
  mkdirSync(OUT, { recursive: true });
  const laptop = await browser.newContext({ viewport: VIEWPORT, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' });
  const page = await laptop.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`${app.url}/register`);
  await page.fill('#username', 'ada');
  await page.fill('#displayName', 'Ada Lovelace');
  await page.fill('#password', 'correct horse battery');
  await Promise.all([page.waitForURL(/\/login/), page.click('#register-form button[type=submit]')]);
  await page.fill('#password', 'correct horse battery');
  await page.screenshot({ path: `${OUT}login.png` });

  await page.goto(`${app.url}/`);
  await page.click('#add-tea');
  await page.click('#add-pen');
  await login(page, app.url);
  await page.goto(`${app.url}/`);
  await page.goto(`${app.url}/profile`);
  await page.screenshot({ path: `${OUT}profile.png`, fullPage: true });

  for (const userAgent of [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  ]) {
    const other = await browser.newContext({ userAgent });
    await login(await other.newPage(), app.url);
    app.clock.advance(17 * 60);
  }
  await page.goto(`${app.url}/devices`);
  await page.screenshot({ path: `${OUT}devices.png`, fullPage: true });
  console.log(`screenshots in ${OUT}: login.png, profile.png, devices.png`);
} finally {
  await browser.close();
  await app.close();
}
