// `tessera-session/redis`: a session store over the user's own Redis client (ioredis or node-redis),
// on one server, behind Sentinel, or on Redis Cluster.
import { SessionError } from '../index.js';
import type { SessionStore, StoreWriteMeta, StoredSession } from '../index.js';
import type { RedisCommandClient } from './redis-clients.js';
import { isNodeRedisCluster } from './redis-clients.js';
import { anonymousRecord, decodeStored, ownerTag, userOfTag } from './redis-record.js';
import { integer, text } from './redis-replies.js';
import { DELETE, INDEX, PUT, runScript } from './redis-scripts.js';
import { deleteIndexed, listIndexed } from './redis-user-index.js';
import type { IndexKeys } from './redis-user-index.js';

export type { IoredisClientLike, NodeRedisClientLike, NodeRedisClusterLike, RedisAdapterOptions, RedisCommandClient, RedisErrorListener } from './redis-clients.js';
export { fromIoredis, fromNodeRedis } from './redis-clients.js';

/** `WAIT` after logins and revocations: see {@link RedisStoreOptions.waitForReplicas}. */
export interface RedisWaitOptions {
  /** How many replicas must acknowledge (WAIT's numreplicas), 1 or more. */
  replicas: number;
  /** How long to wait for them, in seconds (e.g. 0.05); the write stands either way. */
  timeout: number;
}

/** Options of `new RedisStore(options)`. */
export interface RedisStoreOptions {
  /** The user's client through `fromIoredis(client)` or `fromNodeRedis(client)` (a cluster client too). The store never closes it. */
  client: RedisCommandClient;
  /** Prefix of every key the store writes: records under `prefix + 's:' + key`, user indexes under `prefix + 'user:' + userId`. Default `tessera:`. */
  prefix?: string;
  /**
   * After a login (a record that needed a new index entry) and after a revocation or logout of a
   * user's session, wait until this many replicas acknowledged the writes (`WAIT`), at most
   * `timeout`. Redis replicates asynchronously: without it, a failover can lose a write Redis had
   * acknowledged (a login, or worse a revocation). A best effort: a replica that does not answer
   * in time does not fail the request. Default: no WAIT.
   */
  waitForReplicas?: RedisWaitOptions;
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

function checkWait(wait: RedisWaitOptions | undefined): RedisWaitOptions | undefined {
  if (wait === undefined) return undefined;
  if (!Number.isInteger(wait?.replicas) || wait.replicas < 1 || !(wait.timeout > 0) || wait.timeout > 10) {
    throw new SessionError('ERR_SESSION_CONFIG', `RedisStore waitForReplicas needs { replicas: an integer >= 1, timeout: seconds in (0, 10] }, e.g. { replicas: 1, timeout: 0.05 }; got ${JSON.stringify(wait)}`);
  }
  return wait;
}

function checkClient(client: unknown): RedisCommandClient {
  const shape = client as Record<string, unknown> | undefined;
  // A bare ioredis client has a sendCommand() of another shape, and a bare node-redis cluster one
  // that wants the routing key first: both must go through their adapter.
  if (typeof shape?.sendCommand !== 'function' || typeof shape.call === 'function' || isNodeRedisCluster(shape)) {
    throw new SessionError('ERR_SESSION_CONFIG', 'RedisStore needs { client }: wrap your client with fromIoredis(client) (ioredis Redis or Cluster) or fromNodeRedis(client) (node-redis createClient or createCluster) from tessera-session/redis');
  }
  return client as RedisCommandClient;
}

/** Redis takes whole epoch milliseconds; an instant at or before 1 ms is simply in the past. */
function expiryArg(expiresAt: number): number {
  if (Number.isNaN(expiresAt)) throw new SessionError('ERR_SESSION_STORE', 'expiresAt must be an epoch time in milliseconds; got NaN');
  if (expiresAt === Infinity) throw new SessionError('ERR_SESSION_STORE', 'RedisStore needs a finite expiresAt; set a finite session lifetime');
  return Math.max(1, Math.floor(expiresAt));
}

const isWrongType = (error: unknown): boolean => error instanceof Error && error.message.startsWith('WRONGTYPE');

/**
 * Sessions in Redis, over the user's client (`fromIoredis` or `fromNodeRedis`): one server,
 * Sentinel, or Redis Cluster (ioredis `Cluster`, node-redis `createCluster`).
 *
 * - Expiry is native: every record is written with `PXAT expiresAt`, so Redis drops it on time
 *   and `deleteExpired()` has nothing to do.
 * - `setIf` is an atomic compare-and-set in one Lua script over the record's key alone.
 * - The per-user index is a sorted set per user (`prefix + 'user:' + userId`) of store keys, on
 *   its own slot: a login writes the index entry first, then the record; listing and revoking walk
 *   the index in batches of 100. An entry left over by a failed write is harmless and pruned when
 *   met; deleting a record (logout, regenerate) removes its entry.
 * - One round trip per read (`GET`) and per write (`SET ... PXAT` when the session has no user,
 *   otherwise one script call), except when a write must extend the index first (a login, and
 *   then about once per idle timeout of activity): two or three.
 *
 * Needs Redis 6.2 or later (PXAT).
 */
export class RedisStore implements SessionStore {
  /** The prefix of every key this store writes. */
  readonly prefix: string;
  readonly #client: RedisCommandClient;
  readonly #recordPrefix: string;
  readonly #userPrefix: string;
  readonly #wait: RedisWaitOptions | undefined;

  constructor(options: RedisStoreOptions) {
    this.#client = checkClient(options?.client);
    this.prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
    this.#wait = checkWait(options.waitForReplicas);
    this.#recordPrefix = `${this.prefix}s:`;
    this.#userPrefix = `${this.prefix}user:`;
  }

  #key(key: string): string {
    return this.#recordPrefix + key;
  }

  #index(userId: string): IndexKeys {
    return { client: this.#client, setKey: this.#userPrefix + userId, recordPrefix: this.#recordPrefix, tag: ownerTag(userId) };
  }

  /** WAIT on the connections that wrote `keys`, when configured. Replies short of the count are accepted. */
  async #replicated(keys: readonly string[]): Promise<void> {
    const wait = this.#wait;
    if (wait === undefined || keys.length === 0) return;
    const timeoutMs = String(Math.max(1, Math.round(wait.timeout * 1000)));
    const client = this.#client;
    await Promise.all(
      keys.map((key) => (client.waitForReplicas ? client.waitForReplicas(key, wait.replicas, Number(timeoutMs)) : client.sendCommand(['WAIT', String(wait.replicas), timeoutMs]))),
    );
  }

  async get(key: string): Promise<string | undefined> {
    let stored: string | undefined;
    try {
      stored = text(await this.#client.sendCommand(['GET', this.#key(key)]), 'GET');
    } catch (error) {
      // Something else under a session's key (a list, a hash): a corrupt record, which the
      // manager reports and deletes, instead of a failure on every request of that visitor.
      if (isWrongType(error)) return '';
      throw error;
    }
    return stored === undefined ? undefined : decodeStored(stored);
  }

  async set(key: string, value: string, expiresAt: number, meta?: StoreWriteMeta): Promise<void> {
    const at = expiryArg(expiresAt);
    if (!meta?.userId) {
      await this.#client.sendCommand(['SET', this.#key(key), anonymousRecord(value), 'PXAT', String(at)]);
      return;
    }
    await this.#write(key, value, at, meta.userId, 'set', '');
  }

  async setIf(key: string, value: string, expiresAt: number, previous: string | undefined, meta?: StoreWriteMeta): Promise<boolean> {
    const at = expiryArg(expiresAt);
    const mode = previous === undefined ? 'create' : 'swap';
    if (!meta?.userId) return (await this.#put(key, value, at, '', mode, previous ?? '', '')) === 1;
    return this.#write(key, value, at, meta.userId, mode, previous ?? '');
  }

  #put(key: string, value: string, at: number, tag: string, mode: string, previous: string, grant: string): Promise<number> {
    return runScript(this.#client, PUT, this.#key(key), [value, String(at), tag, mode, previous, grant]).then((reply) => integer(reply, 'write script'));
  }

  /**
   * A write of a user's record. The record says until when the user's index covers it: when that
   * is too soon (or the record is new, or had another owner), the index entry is written first,
   * then the record, each on its own slot. A write that then fails leaves a harmless entry.
   */
  async #write(key: string, value: string, at: number, userId: string, mode: string, previous: string): Promise<boolean> {
    const tag = ownerTag(userId);
    let result = mode === 'create' ? 2 : await this.#put(key, value, at, tag, mode, previous, '');
    if (result !== 2) return result === 1;
    // Covered for twice the time left, so a session in use extends its index about once per idle timeout.
    const until = String(at + Math.max(0, at - Date.now()));
    const setKey = this.#userPrefix + userId;
    await runScript(this.#client, INDEX, setKey, [key, until]);
    result = await this.#put(key, value, at, tag, mode, previous, until);
    if (result === 1) await this.#replicated([setKey, this.#key(key)]);
    return result === 1;
  }

  async delete(key: string): Promise<void> {
    const tag = text(await runScript(this.#client, DELETE, this.#key(key), []), 'delete script') ?? '';
    if (tag === '') return;
    const setKey = this.#userPrefix + userOfTag(tag);
    await this.#client.sendCommand(['ZREM', setKey, key]);
    await this.#replicated([this.#key(key), setKey]);
  }

  async listByUser(userId: string): Promise<StoredSession[]> {
    if (userId === '') return [];
    return listIndexed(this.#index(userId));
  }

  async deleteByUser(userId: string, exceptKeys: readonly string[] = []): Promise<number> {
    if (userId === '') return 0;
    const index = this.#index(userId);
    const deleted = await deleteIndexed(index, new Set(exceptKeys));
    await this.#replicated([...deleted.map((key) => this.#key(key)), index.setKey]);
    return deleted.length;
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
