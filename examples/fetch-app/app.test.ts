import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getRequestListener } from '@hono/node-server';
import { serve } from '../../test/support/http.js';
import { createHandler } from './app.js';

describe('Fetch example app (header transport)', () => {
  it('logs in with a token in Session-Token, reads with Authorization: Bearer, logs out', async () => {
    const server = await serve(getRequestListener(createHandler({ secrets: 'fetch-example-test-secret-0123456789abcdef' })));
    try {
      const login = await fetch(`${server.url}/login`, { method: 'POST', body: JSON.stringify({ name: 'Ada' }) });
      assert.equal(login.status, 200);
      assert.deepEqual(login.headers.getSetCookie(), [], 'no cookie');
      const token = login.headers.get('session-token')!;
      assert.ok(token.length > 40);
      const auth = { authorization: `Bearer ${token}` };
      assert.deepEqual(await (await fetch(`${server.url}/me`, { headers: auth })).json(), { user: 'Ada', calls: 1 });
      assert.deepEqual(await (await fetch(`${server.url}/me`, { headers: auth })).json(), { user: 'Ada', calls: 2 });
      assert.deepEqual(await (await fetch(`${server.url}/me`)).json(), { user: null, calls: 1 }, 'no token, no session');
      const logout = await fetch(`${server.url}/logout`, { method: 'POST', headers: auth });
      assert.equal(logout.status, 204);
      assert.equal(logout.headers.get('session-token'), '', 'an empty token: drop it');
      assert.deepEqual(await (await fetch(`${server.url}/me`, { headers: auth })).json(), { user: null, calls: 1 }, 'the old token is dead');
    } finally {
      await server.close();
    }
  });
});
