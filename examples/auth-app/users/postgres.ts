import type pg from 'pg';
import { checkTable, userFromRow } from './types.js';
import type { User, UserRepository, UserRow } from './types.js';

/** Users in PostgreSQL, next to the sessions table. */
export class PostgresUsers implements UserRepository {
  readonly #table: string;

  constructor(readonly pool: pg.Pool, table = 'demo_users') {
    this.#table = checkTable(table);
  }

  async init(): Promise<void> {
    await this.pool.query(`CREATE TABLE IF NOT EXISTS "${this.#table}" (
      id text PRIMARY KEY, username text NOT NULL UNIQUE, display_name text NOT NULL,
      password_hash text NOT NULL, created_at bigint NOT NULL)`);
  }

  async create(user: User): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO "${this.#table}" (id, username, display_name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username) DO NOTHING`,
      [user.id, user.username, user.displayName, user.passwordHash, user.createdAt],
    );
    return result.rowCount === 1;
  }

  async findById(id: string): Promise<User | undefined> {
    const { rows } = await this.pool.query<UserRow>(`SELECT * FROM "${this.#table}" WHERE id = $1`, [id]);
    return userFromRow(rows[0]);
  }

  async findByUsername(username: string): Promise<User | undefined> {
    const { rows } = await this.pool.query<UserRow>(`SELECT * FROM "${this.#table}" WHERE username = $1`, [username]);
    return userFromRow(rows[0]);
  }
}
