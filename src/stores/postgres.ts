// `tessera-session/postgres`: a session store in a PostgreSQL table, over the app's pg Pool (or anything with its shape).
import { createHash } from 'node:crypto';
import type { Clock, SessionStore, StoreWriteMeta, StoredSession } from '../index.js';
import { SessionError, systemClock } from '../index.js';
import { createSchemaGate } from './schema-gate.js';
import { startCleanupTimer } from './cleanup-timer.js';

/** The part of a pg `Pool` (or `Client`) the store uses. */
export interface PgQueryable {
  /** Runs one parameterised statement (`$1`, `$2`, ...). */
  query(text: string, values?: unknown[]): Promise<{
    /** The rows it returned. */
    rows: unknown[];
    /** The rows it touched. */
    rowCount: number | null;
  }>;
}

/** What the store needs of an EventEmitter, to guard a pool without an 'error' listener. */
interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
  listenerCount(event: 'error'): number;
}

/** Options of `new PostgresStore(pool, options)`. */
export interface PostgresStoreOptions {
  /**
   * Table name, optionally schema-qualified (`schema.table`); each part matches
   * `/^[A-Za-z_][A-Za-z0-9_]{0,62}$/` and is quoted, so case is kept. Default `tessera_sessions`.
   */
  table?: string;
  /** Create the table and its indexes (if they do not exist) on first use. Default true. */
  createSchema?: boolean;
  /** Run `deleteExpired()` every this many seconds on an unref'd timer. Default off. */
  cleanupInterval?: number;
  /** Time source for expiry, sent to the server as a query parameter. Default the system clock. */
  clock?: Clock;
  /**
   * pg's Pool emits 'error' when an idle connection dies (server restart, `pg_terminate_backend`),
   * and an 'error' event without a listener crashes the process. When true (the default) and the
   * pool has no 'error' listener at construction, the store adds one, which passes the error to
   * `onError`; `close()` removes it. Attach your own `pool.on('error', ...)` to handle it yourself.
   */
  guardPoolErrors?: boolean;
  /** Receives errors nobody awaits: the cleanup timer's and, with `guardPoolErrors`, the pool's. Default: ignore them. */
  onError?: (error: unknown) => void;
}

const PART = '[A-Za-z_][A-Za-z0-9_]{0,62}';
const TABLE_NAME = new RegExp(`^${PART}(?:\\.${PART})?$`);

interface TableName {
  /** As given. */
  raw: string;
  /** The quoted, possibly schema-qualified name. */
  sql: string;
  /** The unqualified table name, for index names. */
  base: string;
}

function parseTable(table: string): TableName {
  if (typeof table !== 'string' || !TABLE_NAME.test(table)) {
    throw new SessionError('ERR_SESSION_CONFIG', `PostgreSQL table name must be "table" or "schema.table", each part matching /^${PART}$/; got ${JSON.stringify(table)}`);
  }
  const parts = table.split('.');
  return { raw: table, sql: parts.map((p) => `"${p}"`).join('.'), base: parts[parts.length - 1]! };
}

/** An index name within PostgreSQL's 63 bytes; long table names get a hash so two indexes never truncate to one name. */
function indexName(base: string, suffix: string): string {
  const plain = `${base}_${suffix}`;
  if (plain.length <= 63) return plain;
  const hash = createHash('sha256').update(base).digest('hex').slice(0, 8);
  return `${base.slice(0, 63 - suffix.length - 10)}_${hash}_${suffix}`;
}

/** The SQL that creates the store's table and indexes, for teams that run migrations themselves. */
export function postgresSchema(table = 'tessera_sessions'): string {
  const t = parseTable(table);
  return [
    `CREATE TABLE IF NOT EXISTS ${t.sql} (\n  key text COLLATE "C" PRIMARY KEY,\n  value text NOT NULL,\n  expires_at bigint NOT NULL,\n  user_id text\n);`,
    `CREATE INDEX IF NOT EXISTS "${indexName(t.base, 'expires_at_idx')}" ON ${t.sql} (expires_at);`,
    `CREATE INDEX IF NOT EXISTS "${indexName(t.base, 'user_id_idx')}" ON ${t.sql} (user_id) WHERE user_id IS NOT NULL;`,
  ].join('\n') + '\n';
}

function queries(t: string) {
  const upsert =
    `INSERT INTO ${t} AS cur (key, value, expires_at, user_id) VALUES ($1, $2, $3, $4) ` +
    'ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at, user_id = EXCLUDED.user_id';
  return {
    get: `SELECT value FROM ${t} WHERE key = $1 AND expires_at > $2`,
    set: upsert,
    setIfAbsent: `${upsert} WHERE cur.expires_at <= $5`,
    setIfMatch: `UPDATE ${t} SET value = $2, expires_at = $3, user_id = $4 WHERE key = $1 AND value = $5 AND expires_at > $6`,
    delete: `DELETE FROM ${t} WHERE key = $1`,
    listByUser: `SELECT key, value, expires_at FROM ${t} WHERE user_id = $1 AND expires_at > $2`,
    deleteByUser: `DELETE FROM ${t} WHERE user_id = $1 AND expires_at > $2 AND key <> ALL($3::text[])`,
    deleteExpired: `DELETE FROM ${t} WHERE expires_at <= $1`,
  };
}

/** Errors of two processes creating the same table at once: the table exists afterwards. */
const CREATE_RACE_CODES = new Set(['23505', '42P07']);

function isErrorEmitter(value: unknown): value is ErrorEmitter {
  const v = value as Partial<ErrorEmitter> | null;
  return typeof v?.on === 'function' && typeof v.removeListener === 'function' && typeof v.listenerCount === 'function';
}

interface Row {
  key: string;
  value: string;
  expires_at: string | number;
}

/**
 * A session store in one PostgreSQL table, over the app's own pg `Pool`. The pool stays the
 * app's: the store never ends it, and attach `pool.on('error', ...)` yourself (see
 * `guardPoolErrors`). Bound connection and query time on the pool (`connectionTimeoutMillis`,
 * `query_timeout`); the session manager also bounds every store call.
 *
 * Each read and write is one statement, one round trip. `setIf` is one conditional statement
 * (an `UPDATE ... WHERE value = $previous AND expires_at > $now`, or for creation an
 * `INSERT ... ON CONFLICT DO UPDATE ... WHERE expired`). The per-user index is an indexed
 * `user_id` column. Reads compare `expires_at` (epoch ms, `bigint`) with the store's clock, sent as
 * a parameter, so an expired row is never returned; `deleteExpired()` removes them.
 */
export class PostgresStore implements SessionStore {
  readonly #db: PgQueryable;
  readonly #table: TableName;
  readonly #q: ReturnType<typeof queries>;
  readonly #clock: Clock;
  readonly #onError: (error: unknown) => void;
  readonly #ready: () => Promise<void> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #guard: ((error: Error) => void) | undefined;

  constructor(pool: PgQueryable, options: PostgresStoreOptions = {}) {
    if (pool === null || typeof pool !== 'object' || typeof pool.query !== 'function') {
      throw new SessionError('ERR_SESSION_CONFIG', 'PostgresStore needs a pg Pool (an object with query(text, values))');
    }
    this.#db = pool;
    this.#table = parseTable(options.table ?? 'tessera_sessions');
    this.#q = queries(this.#table.sql);
    this.#clock = options.clock ?? systemClock;
    this.#onError = options.onError ?? (() => undefined);
    this.#ready = createSchemaGate(() => this.migrate(), options.createSchema === false);
    this.#timer = startCleanupTimer(options.cleanupInterval, () => this.deleteExpired(), this.#onError);
    if ((options.guardPoolErrors ?? true) && isErrorEmitter(pool) && pool.listenerCount('error') === 0) {
      this.#guard = (error) => this.#onError(error);
      pool.on('error', this.#guard);
    }
  }

  /** Creates the table and indexes if they do not exist (one round trip). Safe to call more than once, and from several processes. */
  async migrate(): Promise<void> {
    const sql = postgresSchema(this.#table.raw);
    try {
      await this.#db.query(sql);
    } catch (error) {
      if (!CREATE_RACE_CODES.has(String((error as { code?: unknown }).code))) throw error;
      await this.#db.query(sql);
    }
  }

  async #query(text: string, values: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }> {
    const ready = this.#ready();
    if (ready !== undefined) await ready;
    return this.#db.query(text, values);
  }

  #now(): number {
    return Math.floor(this.#clock.now());
  }

  async get(key: string): Promise<string | undefined> {
    const { rows } = await this.#query(this.#q.get, [key, this.#now()]);
    return (rows[0] as { value: string } | undefined)?.value;
  }

  async set(key: string, value: string, expiresAt: number, meta?: StoreWriteMeta): Promise<void> {
    await this.#query(this.#q.set, [key, value, Math.floor(expiresAt), meta?.userId ?? null]);
  }

  async setIf(key: string, value: string, expiresAt: number, previous: string | undefined, meta?: StoreWriteMeta): Promise<boolean> {
    const userId = meta?.userId ?? null;
    const result =
      previous === undefined
        ? await this.#query(this.#q.setIfAbsent, [key, value, Math.floor(expiresAt), userId, this.#now()])
        : await this.#query(this.#q.setIfMatch, [key, value, Math.floor(expiresAt), userId, previous, this.#now()]);
    return (result.rowCount ?? 0) > 0;
  }

  async delete(key: string): Promise<void> {
    await this.#query(this.#q.delete, [key]);
  }

  async listByUser(userId: string): Promise<StoredSession[]> {
    const { rows } = await this.#query(this.#q.listByUser, [userId, this.#now()]);
    return (rows as Row[]).map((row) => ({ key: row.key, value: row.value, expiresAt: Number(row.expires_at) }));
  }

  async deleteByUser(userId: string, exceptKeys: readonly string[] = []): Promise<number> {
    const result = await this.#query(this.#q.deleteByUser, [userId, this.#now(), [...exceptKeys]]);
    return result.rowCount ?? 0;
  }

  async deleteExpired(): Promise<number> {
    const result = await this.#query(this.#q.deleteExpired, [this.#now()]);
    return result.rowCount ?? 0;
  }

  /** Stops the cleanup timer and removes the store's pool 'error' guard, if it added one. The pool stays open: it is the app's. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#guard !== undefined && isErrorEmitter(this.#db)) this.#db.removeListener('error', this.#guard);
    this.#guard = undefined;
  }
}
