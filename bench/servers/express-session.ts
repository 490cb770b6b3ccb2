// express-session 1.x, with its MemoryStore (`memory`) or connect-redis (`redis`).
import { createServer } from 'node:http';
import type { RequestHandler } from 'express';
import express from 'express';
import session from 'express-session';
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';
import { deleteRedisPrefix, REDIS_URL } from '../lib/stores.js';
import { SECRET, argument, runId, serve } from './harness.js';
import { addObjectSessionRoutes } from './object-session-routes.js';

const kind = argument('memory');
let store: unknown;
let cleanup = async (): Promise<void> => {};
if (kind === 'redis') {
  const client = createClient({ url: REDIS_URL });
  client.on('error', () => {});
  await client.connect();
  // connect-redis 9 types its client with redis' generic defaults; the instance is the same thing.
  const prefix = `es-bench:${runId()}_${process.pid}:`;
  store = new RedisStore({ client: client as unknown, prefix });
  cleanup = async () => {
    await deleteRedisPrefix(client, prefix);
    await client.quit();
  };
} else if (kind !== 'memory') {
  throw new Error(`unknown store ${kind}`);
}

const app = express();
app.use(session({ secret: SECRET, resave: false, saveUninitialized: false, cookie: { secure: false }, ...(store ? { store } : {}) }) as RequestHandler);
addObjectSessionRoutes(app);
serve(createServer(app), cleanup);
