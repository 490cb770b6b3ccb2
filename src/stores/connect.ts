// `tessera-session/connect`: any express-session-compatible store (connect-redis, connect-pg-simple,
// connect-mongo, ...) as a tessera SessionStore.
import { cookieExpiresAt } from '../adapter/index.js';
import { SessionError, systemClock } from '../index.js';
import type { SessionStore } from '../index.js';

/** A Node-style callback as express-session stores call it. */
export type ConnectCallback<T = unknown> = (error?: unknown, result?: T) => void;

/**
 * The object the adapter hands to the wrapped store: an express-session-shaped session whose
 * `cookie` tells the store when it expires (connect-redis and connect-pg-simple compute their TTL
 * from `cookie.expires`), with the tessera record under `tessera`.
 */
export interface ConnectSessionObject {
  /** What express-session stores read of a session's cookie: mostly when it expires. */
  cookie: {
    /** The record's expiry. */
    expires: Date;
    /** Milliseconds from the write to `expires`; some stores read `maxAge`, some `originalMaxAge`. */
    originalMaxAge: number;
    /** The same as `originalMaxAge`. */
    maxAge: number;
    /** Always true; stores copy it, none acts on it. */
    httpOnly: boolean;
    /** Always `/`; stores copy it, none acts on it. */
    path: string;
  };
  /** The tessera record, an opaque string. */
  tessera: string;
}

/** The callback API of an express-session store (`Store` of express-session 1.x). */
export interface ConnectStoreLike {
  /** Reads the session stored under `sid`: the callback gets it, or nothing. */
  get(sid: string, callback: ConnectCallback): unknown;
  /** Writes `session` under `sid`. */
  set(sid: string, session: ConnectSessionObject, callback: ConnectCallback): unknown;
  /** Deletes what is stored under `sid`. */
  destroy(sid: string, callback: ConnectCallback): unknown;
}

function promised<T>(run: (callback: ConnectCallback<T>) => unknown): Promise<T | undefined> {
  return new Promise<T | undefined>((resolve, reject) => {
    const callback: ConnectCallback<T> = (error, result) => {
      if (error !== undefined && error !== null) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve(result);
    };
    try {
      const returned = run(callback);
      // Some stores (connect-redis) also return a promise; a rejection there must not go unhandled.
      if (typeof (returned as PromiseLike<unknown> | undefined)?.then === 'function') {
        (returned as PromiseLike<unknown>).then(undefined, (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))));
      }
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

/** The tessera value inside what the wrapped store returned, or undefined when it is not ours or has expired. */
function valueOf(stored: unknown, now: number): string | undefined {
  if (typeof stored !== 'object' || stored === null) return undefined;
  const { tessera, cookie } = stored as { tessera?: unknown; cookie?: { expires?: unknown } };
  if (typeof tessera !== 'string' || typeof cookie !== 'object' || cookie === null) return undefined;
  const expiresAt = cookieExpiresAt(cookie.expires);
  if (expiresAt === undefined || expiresAt <= now) return undefined;
  return tessera;
}

function sessionObject(value: string, expiresAt: number, now: number): ConnectSessionObject {
  const maxAge = Math.max(0, Math.floor(expiresAt - now));
  return { cookie: { expires: new Date(expiresAt), originalMaxAge: maxAge, maxAge, httpOnly: true, path: '/' }, tessera: value };
}

/**
 * Wraps an express-session-compatible callback store as a tessera `SessionStore`.
 *
 * What you get: `get`, `set`, `delete`. The record is stored as `{ cookie: { expires, ... },
 * tessera: value }`, so the wrapped store sets its own TTL from `cookie.expires`; on read the
 * adapter also checks `cookie.expires` itself, so a record is never returned after its expiry even
 * when the backend rounds TTLs to whole seconds. Anything else read back (an express-session
 * session, garbage) counts as missing.
 *
 * What you do not get, because the express-session Store API cannot express it:
 * - **No compare-and-set (`setIf`)**: the manager falls back to last-write-wins, so two parallel
 *   requests of one visitor that both change the session can lose one another's changes.
 * - **No per-user index**: `manager.listSessions()` and `manager.revokeSessions()` throw
 *   `ERR_SESSION_UNSUPPORTED`.
 * - **No `deleteExpired`**: expiry is the wrapped store's own business (TTL or its pruning timer).
 *
 * A callback that never fires does not hang a request: the manager bounds every store call with
 * `storeTimeout` (1 s by default) and answers `ERR_SESSION_STORE`. `close()` does not close the
 * wrapped store: it is yours, as are its connections.
 *
 * @example
 * const manager = createSessionManager({ secrets, store: fromConnectStore(new RedisStore({ client })) });
 */
export function fromConnectStore(store: ConnectStoreLike): SessionStore {
  for (const method of ['get', 'set', 'destroy'] as const) {
    if (typeof (store as Partial<ConnectStoreLike> | undefined)?.[method] !== 'function') {
      throw new SessionError('ERR_SESSION_CONFIG', `fromConnectStore needs an express-session store with get(), set() and destroy(); this one has no ${method}()`);
    }
  }
  const destroy = (key: string): Promise<void> => promised((callback) => store.destroy(key, callback)).then(() => undefined);
  return {
    async get(key) {
      const stored = await promised((callback) => store.get(key, callback));
      return valueOf(stored, systemClock.now());
    },
    async set(key, value, expiresAt) {
      const now = systemClock.now();
      if (!(expiresAt > now)) return destroy(key);
      await promised((callback) => store.set(key, sessionObject(value, expiresAt, now), callback));
    },
    delete: destroy,
    async close() {
      // Nothing of ours to release; the wrapped store and its connections belong to the caller.
    },
  };
}
