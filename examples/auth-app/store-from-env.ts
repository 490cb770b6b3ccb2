// Picks the session store and the users' database from SESSION_STORE: SQLite by default,
// or memory, redis://..., postgres://..., mysql://...
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { MemoryStore } from '../../src/index.js';
import type { SessionStore } from '../../src/index.js';
import { MysqlStore } from '../../src/stores/mysql.js';
import { PostgresStore } from '../../src/stores/postgres.js';
import { RedisStore, fromIoredis } from '../../src/stores/redis.js';
import { SqliteStore } from '../../src/stores/sqlite.js';
import { MemoryUsers } from './users/memory.js';
import { MysqlUsers } from './users/mysql.js';
import { PostgresUsers } from './users/postgres.js';
import { RedisUsers } from './users/redis.js';
import { SqliteUsers } from './users/sqlite.js';
import { openSqlite } from './sqlite-open.js';
import type { UserRepository } from './users/types.js';

export interface Backend {
  store: SessionStore;
  users: UserRepository;
  /** For the startup line, without credentials. */
  description: string;
  close(): Promise<void>;
}

const CLEANUP_SECONDS = 15 * 60;

/** SQLite in `file` (its folder is created): sessions and users in one database. */
export function sqliteBackend(file: string, options: { clock?: { now(): number } } = {}): Backend {
  mkdirSync(join(file, '..'), { recursive: true });
  const { db, driver } = openSqlite(file);
  const store = new SqliteStore(db, { cleanupInterval: CLEANUP_SECONDS, ...options });
  return {
    store,
    users: new SqliteUsers(db),
    description: `SQLite (${file}, ${driver})`,
    close: async () => {
      await store.close();
      db.close();
    },
  };
}

function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

async function redisBackend(url: string): Promise<Backend> {
  const client = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  await client.connect();
  const adapter = fromIoredis(client, { onError: (error) => console.error('redis:', error.message) });
  return {
    store: new RedisStore({ client: adapter }),
    users: new RedisUsers(client),
    description: `Redis (${withoutPassword(url)})`,
    close: async () => {
      adapter.release?.();
      await client.quit();
    },
  };
}

function postgresBackend(url: string): Backend {
  const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 2000, query_timeout: 2000 });
  pool.on('error', (error) => console.error('postgres pool:', error.message));
  const store = new PostgresStore(pool, { cleanupInterval: CLEANUP_SECONDS });
  return {
    store,
    users: new PostgresUsers(pool),
    description: `PostgreSQL (${withoutPassword(url)})`,
    close: async () => {
      await store.close();
      await pool.end();
    },
  };
}

function mysqlBackend(url: string): Backend {
  const pool = mysql.createPool({ uri: url, connectionLimit: 10, connectTimeout: 2000 });
  const store = new MysqlStore(pool, { cleanupInterval: CLEANUP_SECONDS });
  return {
    store,
    users: new MysqlUsers(pool),
    description: `MySQL/MariaDB (${withoutPassword(url)})`,
    close: async () => {
      await store.close();
      await pool.end();
    },
  };
}

/** The backend SESSION_STORE names; the users' table is created before this returns. */
export async function backendFromEnv(setting = process.env.SESSION_STORE, dataDir = 'data'): Promise<Backend> {
  const value = setting?.trim() ?? '';
  let backend: Backend;
  if (value === '' || value === 'sqlite') backend = sqliteBackend(join(dataDir, 'tessera-demo.db'));
  else if (value === 'memory') backend = { store: new MemoryStore(), users: new MemoryUsers(), description: 'memory (lost on restart)', close: async () => {} };
  else if (/^rediss?:\/\//.test(value)) backend = await redisBackend(value);
  else if (/^postgres(ql)?:\/\//.test(value)) backend = postgresBackend(value);
  else if (/^mysql:\/\//.test(value)) backend = mysqlBackend(value);
  else throw new Error(`SESSION_STORE must be empty (SQLite in ${dataDir}/), memory, redis://..., postgres://... or mysql://...; got ${JSON.stringify(value)}`);
  try {
    await backend.users.init();
  } catch (error) {
    await backend.close();
    throw error;
  }
  return backend;
}
