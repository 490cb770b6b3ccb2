import assert from 'node:assert/strict';
import type { RequestListener } from 'node:http';
import { describe, it } from 'node:test';
import Koa from 'koa';
import { Browser, serve } from '../../test/support/http.js';
import { createApp } from './app.js';

const koa2 = ((await import('koa2' as string)) as { default: typeof Koa }).default;

/** Compile-time only: the augmented SessionData types ctx.session (a wrong value type is an error). */
export function typedSession(ctx: Koa.Context): string | undefined {
  // @ts-expect-error views is a number
  ctx.session.set('views', 'many');
  return ctx.session.get('userId');
}

for (const [name, KoaClass] of [['Koa 3', Koa], ['Koa 2', koa2]] as const) {
  describe(`Koa example app (${name})`, () => {
    it('counts visits, logs in with a new session ID, logs out with a flash message', async () => {
      const app = createApp({ secrets: 'example-app-test-secret-0123456789abcdef' }, KoaClass);
      const server = await serve(app.callback() as RequestListener);
      try {
        const browser = new Browser(server.url);
        assert.match((await browser.get('/')).body, /<span id="views">1<\/span>/);
        assert.match((await browser.get('/')).body, /<span id="views">2<\/span>/);
        const before = await browser.cookie('__Host-sid');
        const login = await browser.post('/login', { body: new URLSearchParams({ name: 'Ada <b>' }) });
        assert.equal(login.status, 303);
        assert.notEqual(await browser.cookie('__Host-sid'), before);
        const page = (await browser.get('/')).body;
        assert.match(page, /Signed in as <span id="user">Ada &#60;b&#62;<\/span>/);
        assert.match(page, /Welcome, Ada/);
        assert.match(page, /<span id="views">3<\/span>/, 'data kept across login');
        await browser.post('/logout');
        const after = (await browser.get('/')).body;
        assert.match(after, /You are logged out/);
        assert.match(after, /<span id="views">1<\/span>/);
        assert.doesNotMatch(after, /Signed in/);
        assert.equal((await browser.get('/nowhere')).status, 404);
      } finally {
        await server.close();
      }
    });
  });
}
