// tessera-session/fastify on Fastify, on its MemoryStore (the store @fastify/session's default
// compares with), or `sealed` (mode: 'cookie'). The same routes as fastify-session.ts.
import Fastify from 'fastify';
import { MemoryStore, createSessionManager } from '../../src/core/index.js';
import { session } from '../../src/fastify/index.js';
import { SECRET, argument, nextLogin, serve } from './harness.js';

const kind = argument('memory');
const common = { secrets: SECRET, cookie: { secure: false } };
const manager =
  kind === 'sealed'
    ? createSessionManager({ ...common, mode: 'cookie' })
    : kind === 'memory'
      ? createSessionManager({ ...common, store: new MemoryStore({ maxEntries: 1_000_000 }) })
      : undefined;
if (manager === undefined) throw new Error(`unknown tessera-fastify variant ${kind}`);

const app = Fastify({ logger: false });
await app.register(session, { manager });
app.get('/read', async (request) => `hello ${String(request.session.get('userId') ?? 'anon')}`);
app.get('/write', async (request) => {
  request.session.set('hits', Number(request.session.get('hits') ?? 0) + 1);
  return `hello ${String(request.session.get('userId') ?? 'anon')}`;
});
app.get('/login', async (request) => {
  for (const [key, value] of Object.entries(nextLogin())) request.session.set(key, value);
  return `hello ${String(request.session.get('userId'))}`;
});
await app.ready();
serve(app.server);
