// `tessera-session/mysql`: a session store in a MySQL or MariaDB table, over the app's mysql2 promise pool.
import type { Clock, SessionStore, StoreWriteMeta, StoredSession } from '../index.js';
import { SessionError, systemClock } from '../index.js';
import { createSchemaGate } from './schema-gate.js';
import { startCleanupTimer } from './cleanup-timer.js';

/** The part of a mysql2 promise `Pool` (from `mysql2/promise`, or `pool.promise()`) the store uses. */
export interface MysqlQueryable {
  /** Runs one statement with `?` placeholders; resolves to `[rows or result header, fields]`. */
  query(sql: string, values?: unknown[]): Promise<[unknown, unknown]>;
}

/** Options of `new MysqlStore(pool, options)`. */
export interface MysqlStoreOptions {
  /** Table name, matching `/^[A-Za-z_][A-Za-z0-9_]{0,62}$/`; it is quoted, so case is kept. Default `tessera_sessions`. */
  table?: string;
  /** Create the table and its indexes (if they do not exist) on first use. Default true. */
  createSchema?: boolean;
  /** Run `deleteExpired()` every this many seconds on an unref'd timer. Default off. */
  cleanupInterval?: number;
  /** Time source for expiry, sent to the server as a query parameter. Default the system clock. */
  clock?: Clock;
  /** Receives the cleanup timer's errors, which nobody awaits. Default: ignore them. */
  onError?: (error: unknown) => void;
}

/** Longest key and user ID, in UTF-8 bytes (the `VARBINARY` columns' size). */
export const MYSQL_MAX_KEY_BYTES = 512;

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function checkTable(table: string): string {
  if (typeof table !== 'string' || !TABLE_NAME.test(table)) {
    throw new SessionError('ERR_SESSION_CONFIG', `MySQL table name must match ${String(TABLE_NAME)}; got ${JSON.stringify(table)}`);
  }
  return table;
}

/**
 * The SQL that creates the store's table with its indexes (one statement), for teams that run
 * migrations themselves. Keys and user IDs are `VARBINARY`: compared byte for byte, so case and
 * trailing spaces matter. Values are `LONGTEXT` in utf8mb4 (up to 4 GB, within `max_allowed_packet`).
 */
export function mysqlSchema(table = 'tessera_sessions'): string {
  const t = checkTable(table);
  return (
    `CREATE TABLE IF NOT EXISTS \`${t}\` (\n` +
    `  \`key\` VARBINARY(${MYSQL_MAX_KEY_BYTES}) NOT NULL,\n` +
    '  `value` LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,\n' +
    '  `expires_at` BIGINT NOT NULL,\n' +
    `  \`user_id\` VARBINARY(${MYSQL_MAX_KEY_BYTES}) NULL,\n` +
    '  PRIMARY KEY (`key`),\n' +
    '  INDEX `expires_at_idx` (`expires_at`),\n' +
    '  INDEX `user_id_idx` (`user_id`)\n' +
    ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;\n'
  );
}

function queries(table: string) {
  const t = `\`${table}\``;
  const columns = `${t} (\`key\`, \`value\`, \`expires_at\`, \`user_id\`) VALUES (?, ?, ?, ?)`;
  return {
    get: `SELECT \`value\` FROM ${t} WHERE \`key\` = ? AND \`expires_at\` > ?`,
    set: `INSERT INTO ${columns} ON DUPLICATE KEY UPDATE \`value\` = VALUES(\`value\`), \`expires_at\` = VALUES(\`expires_at\`), \`user_id\` = VALUES(\`user_id\`)`,
    insert: `INSERT INTO ${columns}`,
    replaceExpired: `UPDATE ${t} SET \`value\` = ?, \`expires_at\` = ?, \`user_id\` = ? WHERE \`key\` = ? AND \`expires_at\` <= ?`,
    setIfMatch: `UPDATE ${t} SET \`value\` = ?, \`expires_at\` = ?, \`user_id\` = ? WHERE \`key\` = ? AND CAST(\`value\` AS BINARY) = CAST(? AS BINARY) AND \`expires_at\` > ?`,
    delete: `DELETE FROM ${t} WHERE \`key\` = ?`,
    listByUser: `SELECT \`key\`, \`value\`, \`expires_at\` FROM ${t} WHERE \`user_id\` = ? AND \`expires_at\` > ?`,
    deleteByUser: `DELETE FROM ${t} WHERE \`user_id\` = ? AND \`expires_at\` > ?`,
    deleteByUserExcept: `DELETE FROM ${t} WHERE \`user_id\` = ? AND \`expires_at\` > ? AND \`key\` NOT IN (?)`,
    deleteExpired: `DELETE FROM ${t} WHERE \`expires_at\` <= ?`,
  };
}

interface Header {
  affectedRows?: number;
  info?: string;
}

/**
 * Rows an UPDATE matched. mysql2 connects with FOUND_ROWS by default, so `affectedRows` is the
 * matched count; without that flag it counts changed rows only, so read the server's
 * "Rows matched: n" when it sent one.
 */
function rowsMatched(header: Header): number {
  const match = /Rows matched:\s*(\d+)/i.exec(header.info ?? '');
  return match ? Number(match[1]) : (header.affectedRows ?? 0);
}

function isDuplicateKey(error: unknown): boolean {
  const e = error as { code?: unknown; errno?: unknown } | null;
  return e?.code === 'ER_DUP_ENTRY' || e?.errno === 1062;
}

/** VARBINARY columns come back as Buffers. */
function text(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

function fits(value: string): boolean {
  return Buffer.byteLength(value, 'utf8') <= MYSQL_MAX_KEY_BYTES;
}

/**
 * A session store in one MySQL or MariaDB InnoDB table (tested on MariaDB 10.11), over the app's mysql2
 * promise pool, which the store never ends. Statements go through `pool.query()` (escaped by
 * mysql2, one round trip each); the connection charset must be utf8mb4 (mysql2's default).
 *
 * `setIf` with a previous value is one conditional `UPDATE` (byte-exact comparison, not expired).
 * Creating (`previous` undefined) is one `INSERT`; only when the key exists does a second,
 * conditional `UPDATE ... WHERE expired` replace an expired record. Each statement is atomic, so
 * two writers never both win. The per-user index is an indexed `user_id` column. Reads compare
 * `expires_at` (epoch ms) with the store's clock, sent as a parameter.
 */
export class MysqlStore implements SessionStore {
  readonly #db: MysqlQueryable;
  readonly #table: string;
  readonly #q: ReturnType<typeof queries>;
  readonly #clock: Clock;
  readonly #onError: (error: unknown) => void;
  readonly #ready: () => Promise<void> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(pool: MysqlQueryable, options: MysqlStoreOptions = {}) {
    if (pool === null || typeof pool !== 'object' || typeof pool.query !== 'function') {
      throw new SessionError('ERR_SESSION_CONFIG', 'MysqlStore needs a mysql2 promise pool (from mysql2/promise, or pool.promise())');
    }
    this.#db = pool;
    this.#table = checkTable(options.table ?? 'tessera_sessions');
    this.#q = queries(this.#table);
    this.#clock = options.clock ?? systemClock;
    this.#onError = options.onError ?? (() => undefined);
    this.#ready = createSchemaGate(() => this.migrate(), options.createSchema === false);
    this.#timer = startCleanupTimer(options.cleanupInterval, () => this.deleteExpired(), this.#onError);
  }

  /** Creates the table and indexes if they do not exist (one statement). Safe to call more than once. */
  async migrate(): Promise<void> {
    await this.#db.query(mysqlSchema(this.#table));
  }

  async #query(sql: string, values: unknown[]): Promise<unknown> {
    const ready = this.#ready();
    if (ready !== undefined) await ready;
    const [result] = await this.#db.query(sql, values);
    return result;
  }

  #now(): number {
    return Math.floor(this.#clock.now());
  }

  #writable(key: string, meta: StoreWriteMeta | undefined): string | null {
    const userId = meta?.userId ?? null;
    if (!fits(key) || (userId !== null && !fits(userId))) {
      throw new SessionError('ERR_SESSION_STORE', `MysqlStore keys and user IDs are limited to ${MYSQL_MAX_KEY_BYTES} bytes`);
    }
    return userId;
  }

  async get(key: string): Promise<string | undefined> {
    if (!fits(key)) return undefined;
    const rows = (await this.#query(this.#q.get, [key, this.#now()])) as { value: unknown }[];
    return rows[0] === undefined ? undefined : text(rows[0].value);
  }

  async set(key: string, value: string, expiresAt: number, meta?: StoreWriteMeta): Promise<void> {
    const userId = this.#writable(key, meta);
    await this.#query(this.#q.set, [key, value, Math.floor(expiresAt), userId]);
  }

  async setIf(key: string, value: string, expiresAt: number, previous: string | undefined, meta?: StoreWriteMeta): Promise<boolean> {
    const userId = this.#writable(key, meta);
    const at = Math.floor(expiresAt);
    if (previous !== undefined) {
      return rowsMatched((await this.#query(this.#q.setIfMatch, [value, at, userId, key, previous, this.#now()])) as Header) > 0;
    }
    try {
      await this.#query(this.#q.insert, [key, value, at, userId]);
      return true;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    return rowsMatched((await this.#query(this.#q.replaceExpired, [value, at, userId, key, this.#now()])) as Header) > 0;
  }

  async delete(key: string): Promise<void> {
    if (!fits(key)) return;
    await this.#query(this.#q.delete, [key]);
  }

  async listByUser(userId: string): Promise<StoredSession[]> {
    if (!fits(userId)) return [];
    const rows = (await this.#query(this.#q.listByUser, [userId, this.#now()])) as { key: unknown; value: unknown; expires_at: unknown }[];
    return rows.map((row) => ({ key: text(row.key), value: text(row.value), expiresAt: Number(row.expires_at) }));
  }

  async deleteByUser(userId: string, exceptKeys: readonly string[] = []): Promise<number> {
    if (!fits(userId)) return 0;
    const result =
      exceptKeys.length === 0
        ? await this.#query(this.#q.deleteByUser, [userId, this.#now()])
        : await this.#query(this.#q.deleteByUserExcept, [userId, this.#now(), [...exceptKeys]]);
    return (result as Header).affectedRows ?? 0;
  }

  async deleteExpired(): Promise<number> {
    return ((await this.#query(this.#q.deleteExpired, [this.#now()])) as Header).affectedRows ?? 0;
  }

  /** Stops the cleanup timer. The pool stays open: it is the app's. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
