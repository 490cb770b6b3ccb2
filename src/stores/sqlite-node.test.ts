// SqliteStore over Node's built-in `node:sqlite` (DatabaseSync), where this Node has it (22.13+):
// the store's structural interface fits it as it fits better-sqlite3.
import { FakeClock, runStoreConformance } from '../testing/index.js';
import { runScopedName } from '../../test/support/services.js';
import type { SqliteDatabase } from './sqlite.js';
import { SqliteStore } from './sqlite.js';

type NodeSqlite = { DatabaseSync: new (path: string) => SqliteDatabase & { close(): void } };
const nodeSqlite = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.('node:sqlite') as NodeSqlite | undefined;
const skip = nodeSqlite === undefined ? `node:sqlite is not available on Node ${process.version}` : undefined;
if (skip) console.warn(`# skipping: ${skip}`);

const clock = new FakeClock();
const db = nodeSqlite ? new nodeSqlite.DatabaseSync(':memory:') : undefined;
runStoreConformance('SqliteStore over node:sqlite (:memory:, fake clock)', {
  makeStore: () => new SqliteStore(db!, { table: runScopedName('tessera_node_sqlite'), clock }),
  clock,
  requireAll: true,
  ...(skip ? { skip } : {}),
});
