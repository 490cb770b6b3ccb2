// csrf.verify() with csrf.tokenOf() on Fastify and Koa, as docs/csrf.md shows them, over real HTTP
// with a cookie jar.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import Koa from 'koa';
import { session as fastifySession } from '../fastify/index.js';
import { session as koaSession } from '../koa/index.js';
import { Browser, serve } from '../../test/support/http.js';
import type { RunningServer } from '../../test/support/http.js';
import { createCsrf } from './index.js';

const options = { secrets: 'csrf frameworks test secret 0123456789 abcdefghij', cookie: { name: 'sid', secure: false } } as const;
const csrf = createCsrf();
const SAFE = ['GET', 'HEAD', 'OPTIONS', 'TRACE'];
const closing: Array<FastifyInstance | RunningServer> = [];
after(async () => {
  for (const app of closing) await app.close();
});
async function listen(app: FastifyInstance): Promise<Browser> {
  closing.push(app);
  return new Browser(await app.listen({ port: 0, host: '127.0.0.1' }));
}
async function listenKoa(app: Koa): Promise<Browser> {
  const running = await serve(app.callback());
  closing.push(running);
  return new Browser(running.url);
}

/** What every framework must answer: a token of this session passes (header or body field); none, a wrong one, another visitor's fail. */
async function exercise(browser: Browser, other: Browser): Promise<void> {
  const token = (JSON.parse((await browser.get('/token')).body) as { token: string }).token;
  const othersToken = (JSON.parse((await other.get('/token')).body) as { token: string }).token;
  const json = (body: unknown, headers: Record<string, string> = {}) => ({ headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const statuses = [
    (await browser.post('/settings', json({ email: 'a' }, { 'x-csrf-token': token }))).status,
    (await browser.post('/settings', json({ _csrf: token, email: 'a' }))).status,
    (await browser.post('/settings', json({ email: 'a' }))).status,
    (await browser.post('/settings', json({ email: 'a' }, { 'x-csrf-token': `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}` }))).status,
    (await browser.post('/settings', json({ email: 'a' }, { 'x-csrf-token': othersToken }))).status,
  ];
  assert.deepEqual(statuses, [200, 200, 403, 403, 403]);
}

describe('csrf on Fastify and Koa (verify + tokenOf)', () => {
  it('Fastify: a preHandler hook', async () => {
    const build = async () => {
      const app = Fastify({ forceCloseConnections: true });
      await app.register(fastifySession, options);
      app.addHook('preHandler', async (request, reply) => {
        if (SAFE.includes(request.method)) return;
        if (!csrf.verify(request.session, csrf.tokenOf(request))) return reply.code(403).send('invalid CSRF token');
      });
      app.get('/token', async (request) => ({ token: csrf.token(request.session) }));
      app.post('/settings', async () => ({ saved: true }));
      return listen(app);
    };
    await exercise(await build(), await build());
  });

  it('Koa: a middleware after a body parser', async () => {
    const build = (): Promise<Browser> => {
      const app = new Koa();
      app.silent = true;
      app.use(koaSession(options));
      app.use(async (ctx, next) => {
        // A minimal JSON body parser, standing in for @koa/bodyparser.
        if (ctx.is('application/json')) {
          let text = '';
          for await (const chunk of ctx.req) text += String(chunk);
          (ctx.request as { body?: unknown }).body = JSON.parse(text);
        }
        await next();
      });
      app.use(async (ctx, next) => {
        if (!SAFE.includes(ctx.method) && !csrf.verify(ctx.session, csrf.tokenOf(ctx.request))) ctx.throw(403, 'invalid CSRF token');
        await next();
      });
      app.use((ctx) => {
        ctx.body = ctx.path === '/token' ? { token: csrf.token(ctx.session) } : { saved: true };
      });
      return listenKoa(app);
    };
    await exercise(await build(), await build());
  });
});
