// express-session 1.x, with its MemoryStore (`memory`), connect-redis (`redis`) or connect-pg-simple (`postgres`).
import { createServer } from 'node:http';
import type { RequestHandler } from 'express';
import express from 'express';
import session from 'express-session';
import { RedisStore } from 'connect-redis';
import connectPgSimple from 'connect-pg-simple';
import pg from 'pg';
import { createClient } from 'redis';
import { deleteRedisPrefix, PG_URL, REDIS_URL } from '../lib/stores.js';
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
} else if (kind === 'postgres') {
  const pool = new pg.Pool({ connectionString: PG_URL, max: 10 });
  pool.on('error', () => {});
  const tableName = `es_bench_${runId().replace(/\W/g, '_')}_${process.pid}`;
  const PgStore = (connectPgSimple as (s: unknown) => new (options: object) => unknown)(session);
  store = new PgStore({ pool, tableName, createTableIfMissing: true, pruneSessionInterval: false });
  cleanup = async () => {
    await pool.query(`DROP TABLE IF EXISTS "${tableName}"`);
    await pool.end();
  };
} else if (kind !== 'memory') {
  throw new Error(`unknown store ${kind}`);
}

const app = express();
app.use(session({ secret: SECRET, resave: false, saveUninitialized: false, cookie: { secure: false }, ...(store ? { store } : {}) }) as RequestHandler);
addObjectSessionRoutes(app);
serve(createServer(app), cleanup);
