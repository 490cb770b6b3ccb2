import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getRequestListener } from '@hono/node-server';
import { Browser, serve } from '../../test/support/http.js';
import { createApp } from './app.js';

describe('Hono example app', () => {
  it('counts visits, logs in with a new session ID, logs out with a flash message', async () => {
    const server = await serve(getRequestListener(createApp({ secrets: 'hono-example-test-secret-0123456789abcdef' }).fetch));
    try {
      const browser = new Browser(server.url);
      assert.match((await browser.get('/')).body, /<span id="views">1<\/span>/);
      assert.match((await browser.get('/')).body, /<span id="views">2<\/span>/);
      const before = await browser.cookie('__Host-sid');
      const login = await browser.post('/login', { body: new URLSearchParams({ name: 'Ada <b>' }) });
      assert.equal(login.status, 303);
      assert.notEqual(await browser.cookie('__Host-sid'), before);
      assert.deepEqual(JSON.parse((await browser.get('/api/me')).body), { user: 'Ada <b>' });
      const page = (await browser.get('/')).body;
      assert.match(page, /Signed in as <span id="user">Ada &#60;b&#62;<\/span>/);
      assert.match(page, /Welcome, Ada/);
      assert.match(page, /<span id="views">3<\/span>/, 'data kept across login');
      await browser.post('/logout');
      const after = (await browser.get('/')).body;
      assert.match(after, /You are logged out/);
      assert.match(after, /<span id="views">1<\/span>/);
      assert.doesNotMatch(after, /Signed in/);
    } finally {
      await server.close();
    }
  });
});
