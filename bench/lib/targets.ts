// What the HTTP benchmark runs: each library (a server file and its argument) and its floor.
import type { Scenario } from './load.js';

export type Framework = 'express' | 'fastify' | 'koa' | 'hono';

export interface Target {
  /** Short name, used by --only. */
  name: string;
  /** The row label in the report. */
  label: string;
  framework: Framework;
  file: string;
  arg?: string;
  /** Extra environment for its server process (a baseline twin's BENCH_TESSERA_DIST, see baseline.ts). */
  env?: Record<string, string>;
  /** A baseline twin: the name of the current target it is compared with. */
  baselineOf?: string;
  /** The scenarios to run when not all of a section's. */
  scenarios?: Scenario[];
}

/** S0: the bare route of each framework, no session. */
export const FLOORS: Record<Framework, Target> = {
  express: { name: 'express-floor', label: 'Express, no session (floor)', framework: 'express', file: 'express-floor' },
  fastify: { name: 'fastify-floor', label: 'Fastify, no session (floor)', framework: 'fastify', file: 'fastify-floor' },
  koa: { name: 'koa-floor', label: 'Koa 3, no session (floor)', framework: 'koa', file: 'koa-floor' },
  hono: { name: 'hono-floor', label: 'Hono on @hono/node-server, no session (floor)', framework: 'hono', file: 'hono-floor' },
};

export const TARGETS: Target[] = [
  { name: 'tessera-memory', label: 'tessera, MemoryStore', framework: 'express', file: 'tessera', arg: 'memory' },
  { name: 'tessera-memory-encrypted', label: 'tessera, MemoryStore, encryptAtRest', framework: 'express', file: 'tessera', arg: 'memory', env: { BENCH_ENCRYPT_AT_REST: '1' } },
  { name: 'tessera-sqlite', label: 'tessera, SqliteStore', framework: 'express', file: 'tessera', arg: 'sqlite' },
  { name: 'tessera-redis', label: 'tessera, RedisStore (node-redis)', framework: 'express', file: 'tessera', arg: 'redis' },
  { name: 'tessera-postgres', label: 'tessera, PostgresStore', framework: 'express', file: 'tessera', arg: 'postgres' },
  { name: 'tessera-sealed', label: "tessera, sealed cookie (mode: 'cookie')", framework: 'express', file: 'tessera', arg: 'sealed' },
  { name: 'tessera-express-session', label: 'tessera-session/express-session drop-in', framework: 'express', file: 'tessera-express-session' },
  { name: 'express-session-memory', label: 'express-session, MemoryStore', framework: 'express', file: 'express-session', arg: 'memory' },
  { name: 'express-session-redis', label: 'express-session, connect-redis', framework: 'express', file: 'express-session', arg: 'redis' },
  { name: 'express-session-postgres', label: 'express-session, connect-pg-simple', framework: 'express', file: 'express-session', arg: 'postgres' },
  { name: 'cookie-session', label: 'cookie-session', framework: 'express', file: 'cookie-session' },
  { name: 'iron-session', label: 'iron-session', framework: 'express', file: 'iron-session' },
  { name: 'fastify-session', label: '@fastify/session (Fastify)', framework: 'fastify', file: 'fastify-session' },
  { name: 'tessera-fastify', label: 'tessera-session/fastify, MemoryStore (Fastify)', framework: 'fastify', file: 'tessera-fastify', arg: 'memory' },
  { name: 'tessera-koa', label: 'tessera-session/koa, MemoryStore (Koa 3)', framework: 'koa', file: 'tessera-koa' },
  { name: 'tessera-hono', label: 'tessera-session/hono, MemoryStore (Hono)', framework: 'hono', file: 'tessera-hono', arg: 'memory' },
  { name: 'tessera-hono-sealed', label: "tessera-session/hono, sealed cookie (Hono)", framework: 'hono', file: 'tessera-hono', arg: 'sealed' },
];
