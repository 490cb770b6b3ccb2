import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { hashStoreKey } from '../index.js';
import { Browser, serve } from '../../test/support/http.js';
import { SECRET } from '../../test/support/fixture-app.js';
import { idFrom, withFixture } from '../../test/support/express-setup.js';
import { getSession, saveSession, session } from './index.js';

describe('express middleware: responses', () => {
  it('res.redirect after login: the next request finds the session', async () => {
    await withFixture({}, async (_f, server) => {
      const browser = new Browser(server.url);
      for (let i = 0; i < 20; i++) {
        const login = await browser.post('/login');
        assert.equal(login.status, 303);
        assert.equal(JSON.parse((await browser.get(login.headers.get('location')!)).body).user, 'alice');
      }
    });
  });

  it('streams: the cookie goes with the headers and data set after them is still stored', async () => {
    await withFixture({}, async ({ memory }, server) => {
      const browser = new Browser(server.url);
      const res = await browser.get('/stream');
      assert.equal(res.body, 'ab');
      assert.equal(res.setCookie.length, 1);
      const id = idFrom(res.setCookie[0]!);
      const stored = JSON.parse((await memory.get(hashStoreKey(id)))!);
      assert.deepEqual(stored.d, { streamed: true, late: 'after headers' });
    });
  });

  it('writeHead before end, a double end, sendFile and saveSession all work', async () => {
    await withFixture({}, async ({ memory }, server) => {
      const wh = await new Browser(server.url).get('/write-head-then-end');
      assert.equal(wh.status, 204);
      assert.equal(wh.setCookie.length, 1);
      assert.ok(await memory.get(hashStoreKey(idFrom(wh.setCookie[0]!))));

      const de = await new Browser(server.url).get('/double-end');
      assert.equal(de.body, 'once');
      assert.equal(de.setCookie.length, 1);

      const sf = await new Browser(server.url).get('/send-file');
      assert.equal(sf.status, 200);
      assert.match(sf.body, /export function fixtureApp/);
      assert.ok(await memory.get(hashStoreKey(idFrom(sf.setCookie[0]!))));

      const ss = await new Browser(server.url).get('/save-then-stream');
      assert.equal(ss.body, 'chunk');
      assert.equal(ss.setCookie.length, 1);
      assert.equal(ss.headers.get('cache-control'), 'no-store');
      const stored = JSON.parse((await memory.get(hashStoreKey(idFrom(ss.setCookie[0]!))))!);
      assert.equal(stored.d.early, 'saved');
    });
  });

  it('works on a plain node:http server with getSession and saveSession', async () => {
    const handle = session({ secrets: SECRET });
    const server = createServer((req, res) => {
      handle(req, res, async () => {
        const s = getSession(req);
        s.update('n', (n) => ((n as number | undefined) ?? 0) + 1);
        await saveSession(req);
        res.end(String(s.get('n')));
      });
    });
    const running = await serve((req, res) => server.emit('request', req, res));
    try {
      const browser = new Browser(running.url);
      assert.equal((await browser.get('/')).body, '1');
      assert.equal((await browser.get('/')).body, '2');
    } finally {
      await running.close();
    }
  });
});
