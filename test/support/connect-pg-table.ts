import type pg from 'pg';

/**
 * Creates connect-pg-simple's session table under `table`, with index names of its own.
 * The package's `createTableIfMissing` uses one fixed index name, so two test processes creating
 * their tables at once collide; creating it here keeps parallel runs apart.
 */
export async function createConnectPgTable(pool: pg.Pool, table: string): Promise<void> {
  await pool.query(
    `CREATE TABLE IF NOT EXISTS "${table}" ("sid" varchar NOT NULL COLLATE "default" PRIMARY KEY, "sess" json NOT NULL, "expire" timestamp(6) NOT NULL)`,
  );
  await pool.query(`CREATE INDEX IF NOT EXISTS "${table}_expire" ON "${table}" ("expire")`);
}
