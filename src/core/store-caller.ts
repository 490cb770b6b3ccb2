import { SessionError, storeError } from './errors.js';
import { createDeadlineQueue } from './deadline-queue.js';
import type { SessionStore, StoreWriteMeta, StoredSession } from './store.js';

/** The store as the manager calls it: every failure is `ERR_SESSION_STORE`, every call is bounded in time. */
export interface StoreCaller {
  readonly store: SessionStore;
  get(key: string): Promise<string | undefined>;
  /** The store's synchronous read (memory, SQLite), errors wrapped; undefined when it has none. */
  readonly getSync: ((key: string) => string | undefined) | undefined;
  set(key: string, value: string, expiresAt: number, meta?: StoreWriteMeta): Promise<void>;
  /** Compare-and-set, or plain `set` (last write wins) on a store without `setIf`. */
  setIf(key: string, value: string, expiresAt: number, previous: string | undefined, meta?: StoreWriteMeta): Promise<boolean>;
  delete(key: string): Promise<void>;
  listByUser(userId: string): Promise<StoredSession[]>;
  deleteByUser(userId: string, exceptKeys: readonly string[]): Promise<number>;
}

type Bound = <T>(operation: string, run: () => Promise<T>) => Promise<T>;

/** Runs a store call: failures become `ERR_SESSION_STORE`, and past `timeoutMs` (0: never) it times out. */
function boundedBy(timeoutMs: number): Bound {
  const deadlines = timeoutMs === 0 ? undefined : createDeadlineQueue(timeoutMs);
  return <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    let promise: Promise<T>;
    try {
      // A native promise even when the store hands back another library's thenable.
      promise = Promise.resolve(run());
    } catch (error) {
      return Promise.reject(storeError(operation, error));
    }
    if (deadlines === undefined) return promise.catch((error: unknown) => Promise.reject(storeError(operation, error)));
    return deadlines.bound(operation, promise, (error) => storeError(operation, error));
  };
}

function unsupported(what: string): SessionError {
  return new SessionError('ERR_SESSION_UNSUPPORTED', `this session store has no per-user index, so ${what} is not available; use a tessera store (memory, sqlite, redis, postgres, mysql)`);
}

/**
 * Whether the store's `getSync` answers for its `get`: when a subclass overrides `get` (failure
 * injection, decryption, metrics) but inherits `getSync`, the override wins and reads stay
 * asynchronous.
 */
function hasSyncReader(store: SessionStore): boolean {
  if (typeof store.getSync !== 'function') return false;
  let owner: object | null = store;
  while (owner !== null && !Object.hasOwn(owner, 'getSync')) owner = Object.getPrototypeOf(owner) as object | null;
  return owner !== null && (owner as SessionStore).get === store.get;
}

/** Wraps a store with timeouts and error wrapping. `timeoutMs` 0 means no timer. */
export function createStoreCaller(store: SessionStore, timeoutMs: number): StoreCaller {
  const bounded = boundedBy(timeoutMs);
  return {
    store,
    get: (key) => bounded('get', () => store.get(key)),
    getSync: !hasSyncReader(store)
      ? undefined
      : (key) => {
          try {
            return store.getSync!(key);
          } catch (error) {
            throw storeError('get', error);
          }
        },
    set: (key, value, expiresAt, meta) => bounded('set', () => store.set(key, value, expiresAt, meta)),
    setIf: (key, value, expiresAt, previous, meta) =>
      store.setIf
        ? bounded('setIf', () => store.setIf!(key, value, expiresAt, previous, meta))
        : bounded('set', () => store.set(key, value, expiresAt, meta)).then(() => true),
    delete: (key) => bounded('delete', () => store.delete(key)),
    listByUser: (userId) => {
      if (!store.listByUser) return Promise.reject(unsupported('listSessions'));
      return bounded('listByUser', () => store.listByUser!(userId));
    },
    deleteByUser: (userId, exceptKeys) => {
      if (!store.deleteByUser) return Promise.reject(unsupported('revokeSessions'));
      return bounded('deleteByUser', () => store.deleteByUser!(userId, exceptKeys));
    },
  };
}
