// csrf.allows() for Fetch handlers and Hono, over real HTTP (@hono/node-server) with a cookie jar.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Browser } from '../../test/support/http.js';
import { createSessionManager } from '../index.js';
import { withSession } from '../fetch/index.js';
import { session } from '../hono/index.js';
import { createCsrf } from './index.js';

const options = { secrets: 'csrf fetch test secret 0123456789 abcdefghij', cookie: { name: 'sid', secure: false } } as const;
const csrf = createCsrf();

const servers: Server[] = [];
after(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function browse(fetch: (request: Request) => Response | Promise<Response>): Promise<Browser> {
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server;
  });
  servers.push(server);
  return new Browser(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

function honoApp(): Hono {
  const app = new Hono();
  app.use(session(options));
  app.use(async (c, next) => {
    if (!(await csrf.allows(c.get('session'), c.req.raw))) return c.text('invalid CSRF token', 403);
    await next();
  });
  app.get('/form', (c) => c.text(csrf.token(c.get('session'))));
  app.post('/save', async (c) => {
    const type = c.req.header('content-type') ?? '';
    const body = type.startsWith('application/json') ? await c.req.json<{ email: string }>() : await c.req.parseBody();
    return c.text(`saved ${String(body.email)}`);
  });
  return app;
}

const flipLast = (token: string): string => `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
const form = (fields: Record<string, string>): URLSearchParams => new URLSearchParams(fields);

describe('csrf.allows() on Hono and Fetch handlers', () => {
  it('a form or multipart field, or the header, with a token of this session passes; the handler still reads the body', async () => {
    const browser = await browse(honoApp().fetch);
    const token = (await browser.get('/form')).body;
    const urlencoded = await browser.post('/save', { body: form({ _csrf: token, email: 'a@example.com' }) });
    assert.deepEqual([urlencoded.status, urlencoded.body], [200, 'saved a@example.com']);
    const multipart = new FormData();
    multipart.set('_csrf', token);
    multipart.set('email', 'b@example.com');
    const viaMultipart = await browser.post('/save', { body: multipart });
    assert.deepEqual([viaMultipart.status, viaMultipart.body], [200, 'saved b@example.com']);
    const viaHeader = await browser.post('/save', {
      headers: { 'content-type': 'application/json', 'x-csrf-token': token },
      body: JSON.stringify({ email: 'c@example.com' }),
    });
    assert.deepEqual([viaHeader.status, viaHeader.body], [200, 'saved c@example.com']);
  });

  it('no token, a wrong one, another visitor\'s, a JSON body without the header and a garbled body are refused (403), GET passes', async () => {
    const browser = await browse(honoApp().fetch);
    const token = (await browser.get('/form')).body;
    const other = await browse(honoApp().fetch);
    const othersToken = (await other.get('/form')).body;
    const refused = [
      await browser.post('/save', { body: form({ email: 'x' }) }),
      await browser.post('/save', { body: form({ _csrf: flipLast(token), email: 'x' }) }),
      await browser.post('/save', { body: form({ _csrf: othersToken, email: 'x' }) }),
      await browser.post('/save', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ _csrf: token, email: 'x' }) }),
      await browser.post('/save', { headers: { 'content-type': 'multipart/form-data; boundary=nope' }, body: 'garbage' }),
      await browser.request('/save', { method: 'DELETE', headers: { 'x-csrf-token': othersToken } }),
    ];
    assert.deepEqual(refused.map((r) => r.status), [403, 403, 403, 403, 403, 403]);
    assert.equal((await browser.get('/form')).status, 200);
  });

  it('a body the handler already read counts as no token, and allows() never throws', async () => {
    const manager = createSessionManager(options);
    const visitor = await manager.load(undefined);
    const token = csrf.token(visitor);
    const read = new Request('http://127.0.0.1/save', { method: 'POST', body: form({ _csrf: token }) });
    await read.text();
    assert.equal(await csrf.allows(visitor, read), false);
    const fresh = new Request('http://127.0.0.1/save', { method: 'POST', body: form({ _csrf: token }) });
    assert.equal(await csrf.allows(visitor, fresh), true);
    assert.equal(await fresh.text(), `_csrf=${token}`, 'the body is still there for the handler');
  });

  it('withSession: the same check in a plain Fetch handler', async () => {
    const handler = withSession(createSessionManager(options), async (request, visitor) => {
      if (!(await csrf.allows(visitor, request))) return new Response('invalid CSRF token', { status: 403 });
      if (request.method === 'GET') return new Response(csrf.token(visitor));
      return new Response(`saved ${String((await request.formData()).get('email'))}`);
    });
    const browser = await browse(handler);
    const token = (await browser.get('/')).body;
    assert.equal((await browser.post('/', { body: form({ _csrf: token, email: 'd@example.com' }) })).body, 'saved d@example.com');
    assert.equal((await browser.post('/', { body: form({ email: 'd@example.com' }) })).status, 403);
  });
});
