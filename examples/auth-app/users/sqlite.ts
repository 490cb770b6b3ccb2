import type { SqliteConnection } from '../sqlite-open.js';
import { checkTable, userFromRow } from './types.js';
import type { User, UserRepository, UserRow } from './types.js';

/** Users in the same SQLite file as the sessions. */
export class SqliteUsers implements UserRepository {
  readonly #table: string;

  constructor(readonly db: SqliteConnection, table = 'demo_users') {
    this.#table = checkTable(table);
  }

  async init(): Promise<void> {
    this.db.exec(`CREATE TABLE IF NOT EXISTS "${this.#table}" (
      id TEXT PRIMARY KEY NOT NULL, username TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,
      password_hash TEXT NOT NULL, created_at INTEGER NOT NULL)`);
  }

  async create(user: User): Promise<boolean> {
    const result = this.db
      .prepare(`INSERT INTO "${this.#table}" (id, username, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING`)
      .run(user.id, user.username, user.displayName, user.passwordHash, user.createdAt);
    return result.changes === 1;
  }

  async findById(id: string): Promise<User | undefined> {
    return userFromRow(this.db.prepare(`SELECT * FROM "${this.#table}" WHERE id = ?`).get(id) as UserRow | undefined);
  }

  async findByUsername(username: string): Promise<User | undefined> {
    return userFromRow(this.db.prepare(`SELECT * FROM "${this.#table}" WHERE username = ?`).get(username) as UserRow | undefined);
  }
}
