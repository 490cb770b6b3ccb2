// Opens the demo's SQLite file: Node's built-in `node:sqlite` where this Node has it (22.13+),
// better-sqlite3 otherwise (Node 20). better-sqlite3 12 can abort on Node 24 when a statement is
// garbage-collected, so the built-in driver is preferred; both fit SqliteStore's interface.
import { createRequire } from 'node:module';

/** What the demo needs of a SQLite connection. */
export interface SqliteConnection {
  exec(sql: string): void;
  prepare(sql: string): {
    run(...params: unknown[]): { changes: number | bigint };
    get(...params: unknown[]): unknown;
    all(...params: unknown[]): unknown[];
  };
  close(): void;
}

type Driver = new (file: string) => SqliteConnection;

export function openSqlite(file: string): { db: SqliteConnection; driver: string } {
  const builtin = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.('node:sqlite') as { DatabaseSync: Driver } | undefined;
  if (builtin !== undefined) {
    const db = new builtin.DatabaseSync(file);
    db.exec('PRAGMA journal_mode = WAL');
    return { db, driver: 'node:sqlite' };
  }
  const BetterSqlite = createRequire(import.meta.url)('better-sqlite3') as Driver;
  const db = new BetterSqlite(file);
  db.exec('PRAGMA journal_mode = WAL');
  return { db, driver: 'better-sqlite3' };
}
