// `tessera-session/redis`: a session store over the user's own Redis client (ioredis or node-redis).
import { SessionError } from '../index.js';
import type { SessionStore, StoreWriteMeta, StoredSession } from '../index.js';
import type { RedisCommandClient } from './redis-clients.js';
import { decodeStored, encodeStored, ownerTag } from './redis-record.js';
import { DELETE_BY_USER, LIST_BY_USER, SET_IF, WRITE, runScript } from './redis-scripts.js';

export type { IoredisClientLike, NodeRedisClientLike, RedisAdapterOptions, RedisCommandClient, RedisErrorListener } from './redis-clients.js';
export { fromIoredis, fromNodeRedis } from './redis-clients.js';

/** Options of `new RedisStore(options)`. */
export interface RedisStoreOptions {
  /** The user's client through `fromIoredis(client)` or `fromNodeRedis(client)`. The store never closes it. */
  client: RedisCommandClient;
  /** Prefix of every key the store writes: records under `prefix + 's:' + key`, user sets under `prefix + 'user:' + userId`. Default `tessera:`. */
  prefix?: string;
}

const DEFAULT_PREFIX = 'tessera:';
// eslint-disable-next-line no-control-regex
const BAD_PREFIX = /[\s\u0000-\u001f\u007f-\u009f]/;

function checkPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || prefix.length === 0 || prefix.length > 128 || BAD_PREFIX.test(prefix)) {
    throw new SessionError('ERR_SESSION_CONFIG', `RedisStore prefix must be 1 to 128 characters without spaces or control characters, e.g. 'myapp:sess:'; got ${JSON.stringify(prefix)}`);
  }
  return prefix;
}

/** Redis takes whole epoch milliseconds; an instant at or before 1 ms is simply in the past. */
function expiryArg(expiresAt: number): string {
  if (Number.isNaN(expiresAt)) throw new SessionError('ERR_SESSION_STORE', 'expiresAt must be an epoch time in milliseconds; got NaN');
  if (expiresAt === Infinity) throw new SessionError('ERR_SESSION_STORE', 'RedisStore needs a finite expiresAt; set a finite session lifetime');
  return String(Math.max(1, Math.floor(expiresAt)));
}

function text(reply: unknown, command: string): string | undefined {
  if (reply === null || reply === undefined) return undefined;
  if (typeof reply === 'string') return reply;
  if (reply instanceof Uint8Array) return Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength).toString('utf8');
  throw new SessionError('ERR_SESSION_STORE', `unexpected reply to Redis ${command}: ${typeof reply}`);
}

function integer(reply: unknown, command: string): number {
  if (typeof reply === 'number') return reply;
  if (typeof reply === 'bigint' || (typeof reply === 'string' && /^-?\d+$/.test(reply))) return Number(reply);
  throw new SessionError('ERR_SESSION_STORE', `unexpected reply to Redis ${command}: ${typeof reply}`);
}

/**
 * Sessions in Redis, over the user's client (`fromIoredis` or `fromNodeRedis`).
 *
 * - Expiry is native: every record is written with `PXAT expiresAt`, so Redis drops it on time
 *   and `deleteExpired()` has nothing to do.
 * - `setIf` is an atomic compare-and-set in one Lua script (EVALSHA, EVAL on NOSCRIPT).
 * - The per-user index is a Redis set per user (`prefix + 'user:' + userId`) of store keys, whose
 *   expiry is kept at least as late as its longest-lived member's; members that expired, were
 *   deleted or changed user are pruned when the set is listed.
 * - One round trip per read (`GET`) and per write (`SET ... PXAT` when the session has no user,
 *   otherwise one script call).
 *
 * Needs Redis 6.2 or later (PXAT), standalone or Sentinel: not Redis Cluster, since the scripts
 * touch keys they derive from the user's set.
 */
export class RedisStore implements SessionStore {
  /** The prefix of every key this store writes. */
  readonly prefix: string;
  readonly #client: RedisCommandClient;
  readonly #recordPrefix: string;
  readonly #userPrefix: string;

  constructor(options: RedisStoreOptions) {
    const client: unknown = options?.client;
    // A bare ioredis client also has a sendCommand(), of another shape: it must go through fromIoredis.
    if (typeof (client as RedisCommandClient | undefined)?.sendCommand !== 'function' || typeof (client as { call?: unknown }).call === 'function') {
      throw new SessionError('ERR_SESSION_CONFIG', 'RedisStore needs { client }: wrap your client with fromIoredis(client) or fromNodeRedis(client) from tessera-session/redis');
    }
    this.#client = options.client;
    this.prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
    this.#recordPrefix = `${this.prefix}s:`;
    this.#userPrefix = `${this.prefix}user:`;
  }

  #key(key: string): string {
    return this.#recordPrefix + key;
  }

  #userSet(userId: string): string {
    return this.#userPrefix + userId;
  }

  async get(key: string): Promise<string | undefined> {
    const stored = text(await this.#client.sendCommand(['GET', this.#key(key)]), 'GET');
    return stored === undefined ? undefined : decodeStored(stored);
  }

  async set(key: string, value: string, expiresAt: number, meta?: StoreWriteMeta): Promise<void> {
    const at = expiryArg(expiresAt);
    const userId = meta?.userId;
    const stored = encodeStored(value, userId);
    if (userId === undefined) {
      await this.#client.sendCommand(['SET', this.#key(key), stored, 'PXAT', at]);
      return;
    }
    await runScript(this.#client, WRITE, [this.#key(key), this.#userSet(userId)], [stored, at, key]);
  }

  async setIf(key: string, value: string, expiresAt: number, previous: string | undefined, meta?: StoreWriteMeta): Promise<boolean> {
    const at = expiryArg(expiresAt);
    const userId = meta?.userId;
    const keys = userId === undefined ? [this.#key(key)] : [this.#key(key), this.#userSet(userId)];
    const args = [encodeStored(value, userId), at, key, previous === undefined ? '0' : '1', previous ?? ''];
    return integer(await runScript(this.#client, SET_IF, keys, args), 'setIf script') === 1;
  }

  async delete(key: string): Promise<void> {
    // The user's set keeps the key until it is next listed or revoked, where it is pruned.
    await this.#client.sendCommand(['DEL', this.#key(key)]);
  }

  async listByUser(userId: string): Promise<StoredSession[]> {
    const reply = await runScript(this.#client, LIST_BY_USER, [this.#userSet(userId)], [this.#recordPrefix, ownerTag(userId)]);
    if (!Array.isArray(reply) || reply.length % 3 !== 0) throw new SessionError('ERR_SESSION_STORE', 'unexpected reply to the RedisStore listByUser script');
    const sessions: StoredSession[] = [];
    for (let i = 0; i < reply.length; i += 3) {
      const key = text(reply[i], 'listByUser');
      const value = text(reply[i + 1], 'listByUser');
      const expiresAt = integer(reply[i + 2], 'listByUser');
      // A record that lost its expiry (PERSIST by hand) or vanished meanwhile is not a live session.
      if (key === undefined || value === undefined || expiresAt < 0) continue;
      sessions.push({ key, value, expiresAt });
    }
    return sessions;
  }

  async deleteByUser(userId: string, exceptKeys: readonly string[] = []): Promise<number> {
    const reply = await runScript(this.#client, DELETE_BY_USER, [this.#userSet(userId)], [this.#recordPrefix, ownerTag(userId), ...exceptKeys]);
    return integer(reply, 'deleteByUser script');
  }

  /** Always 0: Redis expires records itself (PXAT), so there is never anything to sweep. */
  async deleteExpired(): Promise<number> {
    return 0;
  }

  /** Detaches the adapter's `error` listener. The client itself stays open: it is yours to close. */
  async close(): Promise<void> {
    this.#client.release?.();
  }
}
