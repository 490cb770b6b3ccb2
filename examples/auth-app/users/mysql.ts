import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { checkTable, userFromRow } from './types.js';
import type { User, UserRepository, UserRow } from './types.js';

/** Users in MySQL/MariaDB, next to the sessions table. */
export class MysqlUsers implements UserRepository {
  readonly #table: string;

  constructor(readonly pool: Pool, table = 'demo_users') {
    this.#table = checkTable(table);
  }

  async init(): Promise<void> {
    await this.pool.query(`CREATE TABLE IF NOT EXISTS \`${this.#table}\` (
      id VARCHAR(64) NOT NULL PRIMARY KEY, username VARCHAR(32) NOT NULL UNIQUE, display_name VARCHAR(255) NOT NULL,
      password_hash VARCHAR(255) NOT NULL, created_at BIGINT NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async create(user: User): Promise<boolean> {
    const [result] = await this.pool.query<ResultSetHeader>(
      `INSERT IGNORE INTO \`${this.#table}\` (id, username, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
      [user.id, user.username, user.displayName, user.passwordHash, user.createdAt],
    );
    return result.affectedRows === 1;
  }

  async findById(id: string): Promise<User | undefined> {
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT * FROM \`${this.#table}\` WHERE id = ?`, [id]);
    return userFromRow(rows[0] as UserRow | undefined);
  }

  async findByUsername(username: string): Promise<User | undefined> {
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT * FROM \`${this.#table}\` WHERE username = ?`, [username]);
    return userFromRow(rows[0] as UserRow | undefined);
  }
}
