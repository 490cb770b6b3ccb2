import { SessionError, storeError } from './errors.js';
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

function bounded<T>(operation: string, run: () => Promise<T>, timeoutMs: number): Promise<T> {
  let promise: Promise<T>;
  try {
    promise = run();
  } catch (error) {
    return Promise.reject(storeError(operation, error));
  }
  if (timeoutMs === 0) return promise.catch((error: unknown) => Promise.reject(storeError(operation, error)));
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new SessionError('ERR_SESSION_STORE', `session store ${operation} timed out after ${timeoutMs} ms`)), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(storeError(operation, error));
      },
    );
  });
}

function unsupported(what: string): SessionError {
  return new SessionError('ERR_SESSION_UNSUPPORTED', `this session store has no per-user index, so ${what} is not available; use a tessera store (memory, sqlite, redis, postgres, mysql)`);
}

/** Wraps a store with timeouts and error wrapping. `timeoutMs` 0 means no timer. */
export function createStoreCaller(store: SessionStore, timeoutMs: number): StoreCaller {
  return {
    store,
    get: (key) => bounded('get', () => store.get(key), timeoutMs),
    getSync:
      store.getSync === undefined
        ? undefined
        : (key) => {
            try {
              return store.getSync!(key);
            } catch (error) {
              throw storeError('get', error);
            }
          },
    set: (key, value, expiresAt, meta) => bounded('set', () => store.set(key, value, expiresAt, meta), timeoutMs),
    setIf: (key, value, expiresAt, previous, meta) =>
      store.setIf
        ? bounded('setIf', () => store.setIf!(key, value, expiresAt, previous, meta), timeoutMs)
        : bounded('set', () => store.set(key, value, expiresAt, meta), timeoutMs).then(() => true),
    delete: (key) => bounded('delete', () => store.delete(key), timeoutMs),
    listByUser: (userId) => {
      if (!store.listByUser) return Promise.reject(unsupported('listSessions'));
      return bounded('listByUser', () => store.listByUser!(userId), timeoutMs);
    },
    deleteByUser: (userId, exceptKeys) => {
      if (!store.deleteByUser) return Promise.reject(unsupported('revokeSessions'));
      return bounded('deleteByUser', () => store.deleteByUser!(userId, exceptKeys), timeoutMs);
    },
  };
}
