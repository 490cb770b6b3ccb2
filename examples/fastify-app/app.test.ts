import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Browser } from '../../test/support/http.js';
import { createApp } from './app.js';

describe('Fastify example app', () => {
  it('counts visits, guards the private area, logs in with a new session ID, logs out', async () => {
    const app = await createApp({ secrets: 'fastify-example-test-secret-0123456789' });
    try {
      const browser = new Browser(await app.listen({ port: 0, host: '127.0.0.1' }));
      const json = async (res: Promise<{ status: number; body: string }>): Promise<[number, unknown]> => {
        const { status, body } = await res;
        return [status, JSON.parse(body)];
      };
      assert.deepEqual(await json(browser.get('/')), [200, { views: 1, user: null }]);
      assert.deepEqual(await json(browser.get('/')), [200, { views: 2, user: null }]);
      assert.deepEqual(await json(browser.get('/private/me')), [401, { error: 'log in first' }]);
      const before = await browser.cookie('__Host-sid');
      const post = (path: string, body?: unknown) =>
        browser.post(path, body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      assert.deepEqual(await json(post('/login', { name: '' })), [400, { error: 'a name is required' }]);
      assert.deepEqual(await json(post('/login', { name: 'Ada' })), [200, { user: 'Ada' }]);
      assert.notEqual(await browser.cookie('__Host-sid'), before, 'a new session ID at login');
      assert.deepEqual(await json(browser.get('/private/me')), [200, { user: 'Ada', views: 2 }], 'data kept across login');
      assert.deepEqual(await json(post('/logout')), [200, { ok: true }]);
      assert.equal(await browser.cookie('__Host-sid'), undefined, 'the cookie is cleared');
      assert.deepEqual(await json(browser.get('/private/me')), [401, { error: 'log in first' }]);
    } finally {
      await app.close();
    }
  });
});
