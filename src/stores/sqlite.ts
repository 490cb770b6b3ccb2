// `tessera-session/sqlite`: a session store in a SQLite table, over better-sqlite3 (or anything with its shape).
import type { Clock, SessionStore, StoreWriteMeta, StoredSession } from '../index.js';
import { SessionError, systemClock } from '../index.js';
import { startCleanupTimer } from './cleanup-timer.js';

/** A prepared statement, as better-sqlite3's `Statement` has it. */
export interface SqliteStatement {
  /** Runs the statement; `changes` is the number of rows it wrote. */
  run(...params: unknown[]): {
    /** Rows inserted, updated or deleted. */
    changes: number | bigint;
  };
  /** The first row, or undefined. */
  get(...params: unknown[]): unknown;
  /** Every row. */
  all(...params: unknown[]): unknown[];
}

/** The part of a better-sqlite3 `Database` the store uses. */
export interface SqliteDatabase {
  /** Compiles `sql` once; the store keeps its statements. */
  prepare(sql: string): SqliteStatement;
}

/** Options of `new SqliteStore(db, options)`. */
export interface SqliteStoreOptions {
  /** Table name, matching `/^[A-Za-z_][A-Za-z0-9_]{0,62}$/`. Default `tessera_sessions`. */
  table?: string;
  /** Create the table and its indexes (if they do not exist) on first use. Default true. */
  createSchema?: boolean;
  /** Run `deleteExpired()` every this many seconds on an unref'd timer. Default off. */
  cleanupInterval?: number;
  /** Time source for expiry. Default the system clock. */
  clock?: Clock;
}

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function checkTable(table: string): string {
  if (!TABLE_NAME.test(table)) {
    throw new SessionError('ERR_SESSION_CONFIG', `SQLite table name must match ${String(TABLE_NAME)}; got ${JSON.stringify(table)}`);
  }
  return table;
}

function schemaStatements(table: string): string[] {
  const t = checkTable(table);
  return [
    `CREATE TABLE IF NOT EXISTS "${t}" (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL, expires_at INTEGER NOT NULL, user_id TEXT)`,
    `CREATE INDEX IF NOT EXISTS "${t}_expires_at_idx" ON "${t}" (expires_at)`,
    `CREATE INDEX IF NOT EXISTS "${t}_user_id_idx" ON "${t}" (user_id) WHERE user_id IS NOT NULL`,
  ];
}

/** The SQL that creates the store's table and indexes, for teams that run migrations themselves. */
export function sqliteSchema(table = 'tessera_sessions'): string {
  return `${schemaStatements(table).join(';\n')};\n`;
}

interface Statements {
  get: SqliteStatement;
  set: SqliteStatement;
  setIfMatch: SqliteStatement;
  setIfAbsent: SqliteStatement;
  delete: SqliteStatement;
  listByUser: SqliteStatement;
  deleteByUser: SqliteStatement;
  deleteExpired: SqliteStatement;
}

function prepareAll(db: SqliteDatabase, t: string): Statements {
  return {
    get: db.prepare(`SELECT value FROM "${t}" WHERE key = ? AND expires_at > ?`),
    set: db.prepare(
      `INSERT INTO "${t}" (key, value, expires_at, user_id) VALUES (?, ?, ?, ?) ` +
        'ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, user_id = excluded.user_id',
    ),
    setIfMatch: db.prepare(`UPDATE "${t}" SET value = ?, expires_at = ?, user_id = ? WHERE key = ? AND value = ? AND expires_at > ?`),
    setIfAbsent: db.prepare(
      `INSERT INTO "${t}" (key, value, expires_at, user_id) VALUES (?, ?, ?, ?) ` +
        'ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, user_id = excluded.user_id ' +
        `WHERE "${t}".expires_at <= ?`,
    ),
    delete: db.prepare(`DELETE FROM "${t}" WHERE key = ?`),
    listByUser: db.prepare(`SELECT key, value, expires_at FROM "${t}" WHERE user_id = ? AND expires_at > ?`),
    deleteByUser: db.prepare(
      `DELETE FROM "${t}" WHERE user_id = ? AND expires_at > ? AND key NOT IN (SELECT value FROM json_each(?))`,
    ),
    deleteExpired: db.prepare(`DELETE FROM "${t}" WHERE expires_at <= ?`),
  };
}

interface Row {
  key: string;
  value: string;
  expires_at: number | bigint;
}

/**
 * A session store in one SQLite table, over the app's own better-sqlite3 `Database` (which the
 * store never closes). The embedded default: no server, sessions survive restarts.
 *
 * Compare-and-set (`setIf`) is one conditional statement; the per-user index is an indexed
 * `user_id` column; reads never return a record past its expiry and `deleteExpired()` (or the
 * `cleanupInterval` timer) removes them. better-sqlite3 is synchronous, so every call runs
 * to completion before it returns: `get` answers with the value itself, the writes with a
 * settled promise. Statements are prepared once, on first use, after the table is created.
 */
export class SqliteStore implements SessionStore {
  readonly #db: SqliteDatabase;
  readonly #table: string;
  readonly #createSchema: boolean;
  readonly #clock: Clock;
  #statements: Statements | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(db: SqliteDatabase, options: SqliteStoreOptions = {}) {
    if (db === null || typeof db !== 'object' || typeof db.prepare !== 'function') {
      throw new SessionError('ERR_SESSION_CONFIG', 'SqliteStore needs a better-sqlite3 Database (an object with prepare())');
    }
    this.#db = db;
    this.#table = checkTable(options.table ?? 'tessera_sessions');
    this.#createSchema = options.createSchema ?? true;
    this.#clock = options.clock ?? systemClock;
    this.#timer = startCleanupTimer(options.cleanupInterval, () => this.deleteExpired(), () => undefined);
  }

  /** Creates the table and indexes if they do not exist. Safe to call more than once. */
  async migrate(): Promise<void> {
    for (const sql of schemaStatements(this.#table)) this.#db.prepare(sql).run();
  }

  #s(): Statements {
    if (this.#statements === undefined) {
      if (this.#createSchema) for (const sql of schemaStatements(this.#table)) this.#db.prepare(sql).run();
      this.#statements = prepareAll(this.#db, this.#table);
    }
    return this.#statements;
  }

  #now(): number {
    return Math.floor(this.#clock.now());
  }

  /** Answers synchronously (better-sqlite3 never waits): the value itself, never a promise. A failure throws. */
  get(key: string): string | undefined {
    const row = this.#s().get.get(key, this.#now()) as { value: string } | undefined;
    return row?.value;
  }

  async set(key: string, value: string, expiresAt: number, meta?: StoreWriteMeta): Promise<void> {
    this.#s().set.run(key, value, Math.floor(expiresAt), meta?.userId ?? null);
  }

  async setIf(key: string, value: string, expiresAt: number, previous: string | undefined, meta?: StoreWriteMeta): Promise<boolean> {
    const s = this.#s();
    const userId = meta?.userId ?? null;
    const result =
      previous === undefined
        ? s.setIfAbsent.run(key, value, Math.floor(expiresAt), userId, this.#now())
        : s.setIfMatch.run(value, Math.floor(expiresAt), userId, key, previous, this.#now());
    return Number(result.changes) > 0;
  }

  async delete(key: string): Promise<void> {
    this.#s().delete.run(key);
  }

  async listByUser(userId: string): Promise<StoredSession[]> {
    const rows = this.#s().listByUser.all(userId, this.#now()) as Row[];
    return rows.map((row) => ({ key: row.key, value: row.value, expiresAt: Number(row.expires_at) }));
  }

  async deleteByUser(userId: string, exceptKeys: readonly string[] = []): Promise<number> {
    return Number(this.#s().deleteByUser.run(userId, this.#now(), JSON.stringify(exceptKeys)).changes);
  }

  async deleteExpired(): Promise<number> {
    return Number(this.#s().deleteExpired.run(this.#now()).changes);
  }

  /** Stops the cleanup timer. The database stays open: it is the app's. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
