/**
 * What `RedisStore` needs from a Redis client: send one command, get its reply back as plain
 * values (strings, integers, arrays, null). `fromIoredis` and `fromNodeRedis` build one from the
 * user's own client; the store never imports a driver.
 */
export interface RedisCommandClient {
  /** Sends one command, e.g. `['GET', key]`. Rejects when the server answers with an error or cannot be reached. */
  sendCommand(args: string[]): Promise<unknown>;
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
   * caller as rejected store calls. Default: ignore (the failing store call reports it).
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

/** The part of an ioredis (v5, v6) `Redis` client the store uses. */
export interface IoredisClientLike extends ErrorEmitter {
  /** Sends `command` with `args`; resolves to the reply. */
  call(command: string, args: string[]): Promise<unknown>;
}

/** The part of a node-redis (`redis` v4 to v6) client the store uses; a cluster client does not fit. */
export interface NodeRedisClientLike extends ErrorEmitter {
  /** Sends one command, its name first; resolves to the reply. */
  sendCommand(args: string[]): Promise<unknown>;
}

function listen(client: ErrorEmitter, options: RedisAdapterOptions): () => void {
  const onError = options.onError;
  const listener: RedisErrorListener = (error) => {
    try {
      onError?.(error);
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

/**
 * Adapts an ioredis client. Create it with `enableOfflineQueue: false` and a small
 * `maxRetriesPerRequest` (e.g. 1), so that calls fail fast while Redis is down instead of
 * queueing until it returns.
 *
 * @example
 * const store = new RedisStore({ client: fromIoredis(new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })) });
 */
export function fromIoredis(client: IoredisClientLike, options: RedisAdapterOptions = {}): RedisCommandClient {
  const release = listen(client, options);
  return {
    sendCommand: (args) => client.call(commandName(args), args.slice(1)),
    release,
  };
}

/**
 * Adapts a connected node-redis client (`createClient(...)`, then `await client.connect()`).
 * Create it with `disableOfflineQueue: true`, so that calls fail fast while Redis is down
 * instead of queueing until it returns.
 *
 * @example
 * const client = createClient({ url, disableOfflineQueue: true });
 * await client.connect();
 * const store = new RedisStore({ client: fromNodeRedis(client) });
 */
export function fromNodeRedis(client: NodeRedisClientLike, options: RedisAdapterOptions = {}): RedisCommandClient {
  const release = listen(client, options);
  return {
    sendCommand: (args) => {
      commandName(args);
      return client.sendCommand(args);
    },
    release,
  };
}
