// S0 on Koa 3: the floor for tessera-session/koa; the same routes and responses, no session.
import { createServer } from 'node:http';
import Koa from 'koa';
import { serve } from './harness.js';

const ROUTES = new Set(['/read', '/write', '/login']);
const app = new Koa();
app.use((ctx) => {
  if (ROUTES.has(ctx.path)) ctx.body = 'hello user-1';
});
serve(createServer(app.callback()));
