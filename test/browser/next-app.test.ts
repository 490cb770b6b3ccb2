// A real Next.js app (test/browser/next-app: `next build`, then `next start`) in real Chromium: the
// Server Action login and logout of tessera-session/next, the Server Component that reads the
// session, the proxy and a route handler of tessera-session/fetch.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, chromiumSkip } from '../support/chromium.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const app = join(root, 'test/browser/next-app');
const next = join(root, 'node_modules/next/dist/bin/next');
const COOKIE = '__Host-sid';
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', SESSION_SECRET: 'next-app-test-secret-0123456789abcdefghijk', NODE_ENV: 'production' };

const skip = chromiumSkip();

/** Runs a build step, bounded in time; its output goes into the error when it fails. */
function step(command: string, args: string[], cwd: string): void {
  const run = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 300_000 });
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('a Next.js app on tessera-session/next in Chromium', { skip, timeout: 600_000 }, () => {
  let server: ChildProcess | undefined;
  let output = '';
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;

  before(async () => {
    // The package as the app imports it: compiled from src/ now, so the test never runs a stale dist/.
    rmSync(join(app, '.tessera'), { recursive: true, force: true });
    step(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', join(app, '.tessera')], root);
    step(process.execPath, [next, 'build'], app);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, [next, 'start', '-p', String(port), '-H', '127.0.0.1'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ready = await fetch(`${base}/login`).then((r) => r.ok, () => false);
      if (ready) break;
      if (Date.now() > deadline || server.exitCode !== null) throw new Error(`next start did not answer within 60 s:\n${output}`);
      await delay(250);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    context = await browser.newContext();
    page = await context.newPage();
  });

  after(async () => {
    await browser?.close();
    if (server?.pid !== undefined && server.exitCode === null) {
      server.kill('SIGTERM');
      await Promise.race([new Promise((resolve) => server!.once('exit', resolve)), delay(10_000)]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
  });

  const sessionCookie = async () => (await context.cookies()).find((c) => c.name === COOKIE);
  const me = async (cookie?: string) => {
    const response = await fetch(`${base}/api/me`, { headers: cookie === undefined ? {} : { cookie } });
    return ((await response.json()) as { userId: string | null }).userId;
  };

  it('an anonymous visitor of /account is sent to /login by the proxy', async () => {
    await page.goto(`${base}/account`);
    assert.match(page.url(), /\/login$/);
  });

  it('login through a Server Action: the cookie is set, the Server Component and the route handler read the user', async () => {
    await page.goto(`${base}/login`);
    await page.fill('#user', 'ada');
    await Promise.all([page.waitForURL(/\/account$/), page.click('#login')]);
    assert.equal(await page.textContent('#user'), 'ada');
    const cookie = await sessionCookie();
    assert.ok(cookie, 'the session cookie is in the browser');
    assert.equal(cookie.secure, true);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');
    assert.equal(await me(`${COOKIE}=${cookie.value}`), 'ada');
  });

  it('logout through a Server Action clears the __Host- cookie in the browser, and its old value is worth nothing', async () => {
    const before = (await sessionCookie())!.value;
    await page.goto(`${base}/account`);
    await Promise.all([page.waitForURL(/\/login$/), page.click('#logout')]);
    assert.equal(await sessionCookie(), undefined, 'the browser dropped the cookie (a clearing cookie without Secure would be ignored)');
    assert.equal(await me(`${COOKIE}=${before}`), null, 'the record is gone: a copy of the cookie is anonymous');
    await page.goto(`${base}/account`);
    assert.match(page.url(), /\/login$/);
  });

  it('saveSession in a Server Component fails the render (Next.js sets no cookie there) and writes nothing', async () => {
    const response = await fetch(`${base}/rsc-write`);
    assert.equal(response.status, 500);
    assert.deepEqual(response.headers.getSetCookie(), []);
    assert.match(output, /Cookies can only be modified in a Server Action or Route Handler/);
  });
});
