// The Redis clients RedisStore runs on, each behind one small interface: ioredis (`Redis` or
// `Cluster`) and node-redis (`createClient` or `createCluster`). The store never imports a driver.
import { SessionError } from '../index.js';

/**
 * What `RedisStore` needs from a Redis client: send one command, get its reply back as plain
 * values (strings, integers, arrays, null). `fromIoredis` and `fromNodeRedis` build one from the
 * user's own client or cluster client. On Redis Cluster every command the store sends names one
 * key (scripts have exactly one), and the client routes it to that key's slot.
 */
export interface RedisCommandClient {
  /** Sends one command, e.g. `['GET', key]`. Rejects when the server answers with an error or cannot be reached. */
  sendCommand(args: string[]): Promise<unknown>;
  /**
   * `WAIT replicas timeoutMs` on the connection that wrote `key` (its slot's master on a cluster):
   * how many replicas acknowledged that connection's writes. Without it the store sends a plain
   * `WAIT`, which is right for a single connection and wrong on a cluster.
   */
  waitForReplicas?(key: string, replicas: number, timeoutMs: number): Promise<unknown>;
  /** Detaches whatever the adapter attached to the client (its `error` listener). Never closes the connection. */
  release?(): void;
}

/** Called with errors the client emits (connection lost, reconnect failed, ...). */
export type RedisErrorListener = (error: Error) => void;

/** Options of `fromIoredis` and `fromNodeRedis`. */
export interface RedisAdapterOptions {
  /**
   * Receives the client's `error` events. The adapter always listens to `error`, so that a
   * client without any other listener never crashes the process; failures still reach the
   * caller as rejected store calls. Default: `console.error`, at most once a minute while the same
   * error repeats (a reconnect loop). Pass `() => {}` to ignore them.
   */
  onError?: RedisErrorListener;
}

/** The part of an event emitter the adapters use; both drivers' clients have it. */
interface ErrorEmitter {
  /** Adds an `error` listener. */
  on?(event: 'error', listener: RedisErrorListener): unknown;
  /** Removes an `error` listener. */
  off?(event: 'error', listener: RedisErrorListener): unknown;
}

/** The part of an ioredis (v5, v6) `Redis` or `Cluster` client the store uses. */
export interface IoredisClientLike extends ErrorEmitter {
  /** Sends `command` with `args`; resolves to the reply. */
  call(command: string, args: string[]): Promise<unknown>;
  /** True on an ioredis `Cluster`. */
  readonly isCluster?: boolean;
  /** A batch of commands on one connection (on a Cluster: the node of the batch's key). */
  pipeline?(commands: string[][]): {
    /** Sends the batch; resolves with its replies. */
    exec(): Promise<unknown>;
  };
}

/** The part of a node-redis (`redis` v4 to v6) client made by `createClient` the store uses. */
export interface NodeRedisClientLike extends ErrorEmitter {
  /** Sends one command, its name first; resolves to the reply. */
  sendCommand(args: string[]): Promise<unknown>;
}

/** The part of a node-redis cluster client (`createCluster`) the store uses. */
export interface NodeRedisClusterLike extends ErrorEmitter {
  /** Sends one command to the node that serves `firstKey`'s slot. */
  sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: string[]): Promise<unknown>;
  /** The master that serves `slot` (how the store recognises a cluster client). */
  getSlotMaster(slot: number): unknown;
  /** node-redis 6: the master's client for a key (WAIT goes there). */
  getNodeClientForKey?(key: string, isReadonly?: boolean): Promise<NodeRedisClientLike>;
}

/** How long the default `onError` stays quiet about an error that repeats the one before. */
const REPEAT_AFTER_MS = 60_000;

/** An error's text: its message, else its code, else its first inner error's (an AggregateError of a refused IPv4 and IPv6 connect). */
function textOf(error: unknown): string {
  const e = error as { message?: unknown; code?: unknown; errors?: unknown } | null;
  if (typeof e?.message === 'string' && e.message !== '') return e.message;
  if (Array.isArray(e?.errors) && e.errors.length > 0) return textOf(e.errors[0]);
  return typeof e?.code === 'string' ? e.code : String(error);
}

/** The default `onError`: logs a client error, once a minute at most while the same one repeats. */
function logChanges(): RedisErrorListener {
  let last: string | undefined;
  let loggedAt = 0;
  return (error) => {
    const text = textOf(error);
    const now = Date.now();
    if (text === last && now - loggedAt < REPEAT_AFTER_MS) return;
    last = text;
    loggedAt = now;
    console.error(`tessera-session/redis: the Redis client reports: ${text}`);
  };
}

function listen(client: ErrorEmitter, options: RedisAdapterOptions): () => void {
  const onError = options.onError ?? logChanges();
  const listener: RedisErrorListener = (error) => {
    try {
      onError(error);
    } catch {
      // A throwing listener must not turn a connection error into a crash.
    }
  };
  client.on?.('error', listener);
  return () => void client.off?.('error', listener);
}

function commandName(args: string[]): string {
  const name = args[0];
  if (name === undefined) throw new TypeError('a Redis command needs a name');
  return name;
}

/** The key a command of the store is routed by: the script's one key, else the first argument. */
function firstKeyOf(args: string[]): string | undefined {
  const name = commandName(args).toUpperCase();
  if (name === 'EVAL' || name === 'EVALSHA') return Number(args[2]) > 0 ? args[3] : undefined;
  return name === 'WAIT' || name === 'PING' ? undefined : args[1];
}

const has = (client: unknown, method: string): boolean => typeof (client as Record<string, unknown> | null)?.[method] === 'function';

function configError(message: string): SessionError {
  return new SessionError('ERR_SESSION_CONFIG', message);
}

/** Whether `client` is a node-redis cluster client (`createCluster`), wrapped or not. */
export function isNodeRedisCluster(client: unknown): boolean {
  return has(client, 'getSlotMaster') && has(client, 'sendCommand');
}

/**
 * Adapts an ioredis client: a `Redis` (standalone or Sentinel) or a `Cluster`. Create it with
 * `enableOfflineQueue: false` and a small `maxRetriesPerRequest` (e.g. 1), so that calls fail
 * fast while Redis is down instead of queueing until it returns.
 *
 * @example
 * const store = new RedisStore({ client: fromIoredis(new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })) });
 * const clustered = new RedisStore({ client: fromIoredis(new Cluster(nodes, { enableOfflineQueue: false })) });
 */
export function fromIoredis(client: IoredisClientLike, options: RedisAdapterOptions = {}): RedisCommandClient {
  if (!has(client, 'call')) {
    throw configError(has(client, 'sendCommand') ? 'fromIoredis takes an ioredis Redis or Cluster; this looks like a node-redis client: use fromNodeRedis(client)' : 'fromIoredis takes an ioredis Redis or Cluster client');
  }
  if (client.isCluster === true && !has(client, 'pipeline')) throw configError('fromIoredis: this Cluster client has no pipeline(); use ioredis 5 or later');
  const release = listen(client, options);
  return {
    sendCommand: (args) => client.call(commandName(args), args.slice(1)),
    // On a Cluster, a pipeline goes to one node over the connection the key's writes took.
    waitForReplicas: async (key, replicas, timeoutMs) => {
      if (client.isCluster !== true) return client.call('WAIT', [String(replicas), String(timeoutMs)]);
      const replies = (await client.pipeline!([['exists', key], ['wait', String(replicas), String(timeoutMs)]]).exec()) as Array<[Error | null, unknown]> | null;
      const [error, count] = replies?.[1] ?? [new Error('WAIT got no reply'), 0];
      if (error) throw error;
      return count;
    },
    release,
  };
}

/**
 * Adapts a node-redis client: a connected `createClient(...)` (`await client.connect()` first) or
 * a `createCluster(...)` client, whose commands it routes by their one key. Create it with
 * `disableOfflineQueue: true`, so that calls fail fast while Redis is down instead of queueing
 * until it returns.
 *
 * @example
 * const client = createClient({ url, disableOfflineQueue: true });
 * await client.connect();
 * const store = new RedisStore({ client: fromNodeRedis(client) });
 */
export function fromNodeRedis(client: NodeRedisClientLike | NodeRedisClusterLike, options: RedisAdapterOptions = {}): RedisCommandClient {
  if (has(client, 'call')) throw configError('fromNodeRedis takes a node-redis client; this looks like an ioredis client: use fromIoredis(client)');
  if (!has(client, 'sendCommand')) throw configError('fromNodeRedis takes a node-redis client made by createClient() or createCluster()');
  const release = listen(client, options);
  if (!isNodeRedisCluster(client)) {
    const single = client as NodeRedisClientLike;
    return {
      sendCommand: (args) => (commandName(args), single.sendCommand(args)),
      waitForReplicas: (_key, replicas, timeoutMs) => single.sendCommand(['WAIT', String(replicas), String(timeoutMs)]),
      release,
    };
  }
  const cluster = client as NodeRedisClusterLike;
  return {
    sendCommand: (args) => cluster.sendCommand(firstKeyOf(args), false, args),
    waitForReplicas: async (key, replicas, timeoutMs) => {
      const wait = ['WAIT', String(replicas), String(timeoutMs)];
      if (cluster.getNodeClientForKey === undefined) return cluster.sendCommand(key, false, wait);
      return (await cluster.getNodeClientForKey(key, false)).sendCommand(wait);
    },
    release,
  };
}
