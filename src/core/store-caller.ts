import { SessionError, storeError } from './errors.js';
import type { SessionStore, StoreWriteMeta, StoredSession } from './store.js';

/** The store as the manager calls it: every failure is `ERR_SESSION_STORE`, every call is bounded in time. */
export interface StoreCaller {
  /** The store called: per-store state (the commit queues) is keyed by it. */
  readonly store: SessionStore;
  /** The store's answer: the value itself when the store answered synchronously (memory, SQLite), else a promise. */
  read(key: string): string | undefined | Promise<string | undefined>;
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, expiresAt: number, meta?: StoreWriteMeta): Promise<void>;
  /** Compare-and-set, or plain `set` (last write wins) on a store without `setIf`. */
  setIf(key: string, value: string, expiresAt: number, previous: string | undefined, meta?: StoreWriteMeta): Promise<boolean>;
  delete(key: string): Promise<void>;
  listByUser(userId: string): Promise<StoredSession[]>;
  deleteByUser(userId: string, exceptKeys: readonly string[]): Promise<number>;
  /** Waits for a commit's turn behind the other commits of its session; inside `withDeadline`, the deadline then starts afresh. */
  turn(turn: PromiseLike<void>): Promise<void>;
  /** Runs `work` with one deadline, `timeoutMs` from now, shared by all its calls. */
  withDeadline<T>(work: (caller: StoreCaller) => Promise<T>): Promise<T>;
}

const timeouts = new WeakSet<object>();

/** The error is a store call that ran out of time (the store is not answering), not a failure it reported. */
export const isStoreTimeout = (error: unknown): boolean => typeof error === 'object' && error !== null && timeouts.has(error);

const isThenable = (value: unknown): value is PromiseLike<unknown> => typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';

function unsupported(what: string): SessionError {
  return new SessionError('ERR_SESSION_UNSUPPORTED', `this session store has no per-user index, so ${what} is not available; use a tessera store (memory, sqlite, redis, postgres, mysql)`);
}

/**
 * Wraps a store with timeouts (`timeoutMs`; 0: none) and error wrapping: a timer per call, bounded
 * by `timeoutMs`, or inside `withDeadline` by what is left of one deadline for the whole commit
 * (queue wait included), so parallel commits of one session never add their timeouts up. Any
 * store that returns a promise is bounded, whatever its class; a synchronous answer needs no bound.
 * `deadline` (epoch ms, the system clock, like the timers) is for `withDeadline`'s own use.
 */
export function createStoreCaller(store: SessionStore, timeoutMs: number, deadline?: { at: number }): StoreCaller {
  /** A native promise of the answer, bounded in time, even when the store hands back another library's thenable. */
  const bound = <T>(operation: string, answer: PromiseLike<T>): Promise<T> => {
    if (timeoutMs === 0) return Promise.resolve(answer).catch((error: unknown) => Promise.reject(storeError(operation, error)));
    return new Promise<T>((resolve, reject) => {
      const expire = (): void => {
        const error = new SessionError('ERR_SESSION_STORE', `session store ${operation} timed out after ${timeoutMs} ms`);
        timeouts.add(error);
        reject(error);
      };
      const timer = setTimeout(expire, deadline === undefined ? timeoutMs : Math.max(0, deadline.at - Date.now()));
      Promise.resolve(answer).then(
        (value) => (clearTimeout(timer), resolve(value)),
        (error: unknown) => (clearTimeout(timer), reject(storeError(operation, error))),
      );
    });
  };
  const call = <T>(operation: string, run: () => PromiseLike<T>): Promise<T> => {
    try {
      return bound(operation, run());
    } catch (error) {
      return Promise.reject(storeError(operation, error));
    }
  };
  const read = (key: string): string | undefined | Promise<string | undefined> => {
    let answer: ReturnType<SessionStore['get']>;
    try {
      answer = store.get(key);
    } catch (error) {
      throw storeError('get', error);
    }
    return isThenable(answer) ? bound('get', answer) : answer;
  };
  const caller: StoreCaller = {
    store,
    read,
    get: (key) => {
      try {
        return Promise.resolve(read(key));
      } catch (error) {
        return Promise.reject(error as Error);
      }
    },
    set: (key, value, expiresAt, meta) => call('set', () => store.set(key, value, expiresAt, meta)),
    setIf: (key, value, expiresAt, previous, meta) =>
      store.setIf ? call('setIf', () => store.setIf!(key, value, expiresAt, previous, meta)) : call('set', () => store.set(key, value, expiresAt, meta)).then(() => true),
    delete: (key) => call('delete', () => store.delete(key)),
    listByUser: (userId) => (store.listByUser ? call('listByUser', () => store.listByUser!(userId)) : Promise.reject(unsupported('listSessions'))),
    deleteByUser: (userId, exceptKeys) =>
      store.deleteByUser ? call('deleteByUser', () => store.deleteByUser!(userId, exceptKeys)) : Promise.reject(unsupported('revokeSessions')),
    async turn(turn) {
      await turn;
      if (deadline !== undefined) deadline.at = Date.now() + timeoutMs;
    },
    withDeadline: (work) => work(deadline === undefined && timeoutMs > 0 ? createStoreCaller(store, timeoutMs, { at: Date.now() + timeoutMs }) : caller),
  };
  return caller;
}
