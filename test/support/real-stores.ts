// Every tessera store on its real backend, for tests that must run on all of them. Each backend
// is probed once (skip with a reason, or fail under CI) and uses run-scoped names.
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { MemoryStore } from '../../src/core/index.js';
import type { SessionStore } from '../../src/core/index.js';
import { MysqlStore } from '../../src/stores/mysql.js';
import { PostgresStore } from '../../src/stores/postgres.js';
import { RedisStore, fromIoredis } from '../../src/stores/redis.js';
import { SqliteStore } from '../../src/stores/sqlite.js';
import { mysqlUrl, pgUrl, redisUrl, requireService, runScopedName } from './services.js';

export interface RealStore {
  name: string;
  /** A skip reason when the backend is unreachable (never set under CI: that throws). */
  skip: string | undefined;
  /** A store in a fresh namespace (table or key prefix) of its own. */
  make(label: string): Promise<SessionStore>;
  /** Drops every namespace made and closes the clients. */
  close(): Promise<void>;
}

function memory(): RealStore {
  return { name: 'memory', skip: undefined, make: async () => new MemoryStore(), close: async () => {} };
}

function sqlite(): RealStore {
  const db = new Database(':memory:');
  return {
    name: 'sqlite',
    skip: undefined,
    make: async (label) => new SqliteStore(db, { table: runScopedName(label) }),
    close: async () => {
      db.close();
    },
  };
}

async function redis(): Promise<RealStore> {
  const client = new Redis(redisUrl(), { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  const skip = await requireService('Redis', () => client.connect());
  const prefixes: string[] = [];
  return {
    name: 'redis',
    skip,
    make: async (label) => {
      const prefix = `tessera_test:${runScopedName(label)}:`;
      prefixes.push(prefix);
      return new RedisStore({ client: fromIoredis(client), prefix });
    },
    close: async () => {
      if (skip === undefined) {
        for (const prefix of prefixes) {
          const keys = await client.keys(`${prefix}*`);
          if (keys.length > 0) await client.del(...keys);
        }
      }
      client.disconnect();
    },
  };
}

async function postgres(): Promise<RealStore> {
  const pool = new pg.Pool({ connectionString: pgUrl(), max: 10, connectionTimeoutMillis: 2000 });
  pool.on('error', () => {});
  const skip = await requireService('PostgreSQL', () => pool.query('SELECT 1'));
  const tables: string[] = [];
  return {
    name: 'postgres',
    skip,
    make: async (label) => {
      const table = runScopedName(label);
      tables.push(table);
      return new PostgresStore(pool, { table });
    },
    close: async () => {
      if (skip === undefined) for (const table of tables) await pool.query(`DROP TABLE IF EXISTS "${table}"`);
      await pool.end();
    },
  };
}

async function mysqlStore(): Promise<RealStore> {
  const pool = mysql.createPool({ uri: mysqlUrl(), connectionLimit: 10, connectTimeout: 2000 });
  const skip = await requireService('MySQL/MariaDB', () => pool.query('SELECT 1'));
  const tables: string[] = [];
  return {
    name: 'mysql',
    skip,
    make: async (label) => {
      const table = runScopedName(label);
      tables.push(table);
      return new MysqlStore(pool, { table });
    },
    close: async () => {
      if (skip === undefined) for (const table of tables) await pool.query(`DROP TABLE IF EXISTS \`${table}\``);
      await pool.end();
    },
  };
}

/** Memory, SQLite, Redis, PostgreSQL and MySQL/MariaDB. */
export async function realStores(): Promise<RealStore[]> {
  return [memory(), sqlite(), await redis(), await postgres(), await mysqlStore()];
}
