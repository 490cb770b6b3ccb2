// The users of the demo and what each database backend must offer to keep them.

export interface User {
  id: string;
  /** Lower case, unique: /^[a-z0-9_.-]{3,32}$/. */
  username: string;
  displayName: string;
  passwordHash: string;
  /** Epoch ms. */
  createdAt: number;
}

export interface UserRepository {
  /** Creates the table (or nothing, for key-value backends). Idempotent. */
  init(): Promise<void>;
  /** Adds a user; false when the username is taken. */
  create(user: User): Promise<boolean>;
  findById(id: string): Promise<User | undefined>;
  findByUsername(username: string): Promise<User | undefined>;
}

/** The row shape the SQL backends read back. */
export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  created_at: number | string;
}

export function userFromRow(row: UserRow | undefined): User | undefined {
  if (row === undefined) return undefined;
  return { id: row.id, username: row.username, displayName: row.display_name, passwordHash: row.password_hash, createdAt: Number(row.created_at) };
}

const TABLE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Table names are interpolated into SQL: only plain identifiers are accepted. */
export function checkTable(table: string): string {
  if (!TABLE.test(table)) throw new Error(`users table must match ${String(TABLE)}; got ${JSON.stringify(table)}`);
  return table;
}
