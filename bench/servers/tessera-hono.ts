// tessera's Hono middleware (tessera-session/hono, on the Fetch adapter) on Hono, on Node through
// @hono/node-server: `memory` (MemoryStore) or `sealed` (mode: 'cookie'). Hono's own session
// middleware (@hono/session) is not installed here, so there is no peer row for it.
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { MemoryStore, createSessionManager } from '../../src/index.js';
import { session } from '../../src/hono/index.js';
import { SECRET, argument, nextLogin, serve } from './harness.js';

const kind = argument('memory');
const common = { secrets: SECRET, cookie: { secure: false } };
const manager =
  kind === 'sealed'
    ? createSessionManager({ ...common, mode: 'cookie' })
    : createSessionManager({ ...common, store: new MemoryStore({ maxEntries: 1_000_000 }) });

const app = new Hono();
app.use(session(manager));
app.get('/read', (c) => c.text(`hello ${String(c.get('session').get('userId') ?? 'anon')}`));
app.get('/write', (c) => {
  const s = c.get('session');
  s.set('hits', Number(s.get('hits') ?? 0) + 1);
  return c.text(`hello ${String(s.get('userId') ?? 'anon')}`);
});
app.get('/login', (c) => {
  const s = c.get('session');
  for (const [key, value] of Object.entries(nextLogin())) s.set(key, value);
  return c.text(`hello ${String(s.get('userId'))}`);
});
serve(createAdaptorServer({ fetch: app.fetch }) as Server);
