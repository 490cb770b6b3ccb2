// The tessera stores under test, each on a run-scoped name (temp file, key prefix, table), with a
// cleanup that removes what the run created. Shared by the tessera server and the store loop.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createClient } from 'redis';
import type { SessionStore } from '../../src/core/index.js';
import { MemoryStore } from '../../src/core/index.js';
import { PostgresStore } from '../../src/stores/postgres.js';
import { RedisStore, fromNodeRedis } from '../../src/stores/redis.js';
import { SqliteStore } from '../../src/stores/sqlite.js';

export const REDIS_URL = process.env.TESSERA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const PG_URL = process.env.TESSERA_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const STORE_NAMES = ['memory', 'sqlite', 'redis', 'postgres'] as const;
export type StoreName = (typeof STORE_NAMES)[number];

export interface OpenedStore {
  store: SessionStore;
  cleanup(): Promise<void>;
}

/** Deletes every key under `prefix`, in bounded SCAN batches. */
export interface KeysClient {
  keys(pattern: string): Promise<string[]>;
  del(keys: string[]): Promise<number>;
}

export async function deleteRedisPrefix(client: KeysClient, prefix: string): Promise<void> {
  for (let batch = 0; batch < 10_000; batch++) {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length === 0) return;
    await client.del(keys.slice(0, 5000));
  }
}

export async function openStore(name: StoreName, scope: string): Promise<OpenedStore> {
  switch (name) {
    case 'memory':
      return { store: new MemoryStore({ maxEntries: 1_000_000 }), cleanup: async () => {} };
    case 'sqlite': {
      const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
      const db = new Database(join(dir, 'sessions.db'));
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      return {
        store: new SqliteStore(db),
        cleanup: async () => {
          db.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    case 'redis': {
      const client = createClient({ url: REDIS_URL });
      client.on('error', () => {});
      await client.connect();
      const prefix = `tessera-bench:${scope}:`;
      return {
        store: new RedisStore({ client: fromNodeRedis(client as Parameters<typeof fromNodeRedis>[0]), prefix }),
        cleanup: async () => {
          await deleteRedisPrefix(client, prefix);
          await client.quit();
        },
      };
    }
    case 'postgres': {
      const pool = new pg.Pool({ connectionString: PG_URL, max: 10 });
      pool.on('error', () => {});
      const table = `tessera_bench_${scope.replace(/[^A-Za-z0-9_]/g, '_')}`;
      const store = new PostgresStore(pool, { table });
      await store.migrate();
      return {
        store,
        cleanup: async () => {
          await pool.query(`DROP TABLE IF EXISTS "${table}"`);
          await pool.end();
        },
      };
    }
  }
}
