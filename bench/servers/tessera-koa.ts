// tessera-session/koa on Koa 3, on the MemoryStore (the same store options as tessera.ts's
// `memory`): S1 reads, S2 writes, S3 logs in, with the same responses as the Express servers.
import { createServer } from 'node:http';
import Koa from 'koa';
import { MemoryStore, createSessionManager } from '../../src/index.js';
import { session } from '../../src/koa/index.js';
import { SECRET, nextLogin, serve } from './harness.js';

const manager = createSessionManager({ secrets: SECRET, cookie: { secure: false }, store: new MemoryStore({ maxEntries: 1_000_000 }) });
const app = new Koa();
app.use(session(manager));
app.use((ctx) => {
  if (ctx.path === '/read') {
    ctx.body = `hello ${String(ctx.session.get('userId') ?? 'anon')}`;
  } else if (ctx.path === '/write') {
    ctx.session.set('hits', Number(ctx.session.get('hits') ?? 0) + 1);
    ctx.body = `hello ${String(ctx.session.get('userId') ?? 'anon')}`;
  } else if (ctx.path === '/login') {
    for (const [key, value] of Object.entries(nextLogin())) ctx.session.set(key, value);
    ctx.body = `hello ${String(ctx.session.get('userId'))}`;
  }
});
serve(createServer(app.callback()));
