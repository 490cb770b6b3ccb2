import { SessionError } from './errors.js';

/** Extra facts a store may index a record by. */
export interface StoreWriteMeta {
  /** The user the session belongs to, taken from the data key named by `userKey`. */
  userId?: string;
}

/** One record of a user's sessions, as `listByUser` returns it. */
export interface StoredSession {
  /** The record's store key. */
  key: string;
  /** The record as it was written. */
  value: string;
  /** When the record expires, epoch ms. */
  expiresAt: number;
}

/**
 * What every store implements. Stores see opaque strings under store keys (a hash of the
 * session ID by default) and never interpret either.
 *
 * Rules: a missing, expired or unreadable record is `undefined`, never an error; a backend
 * failure throws (tessera wraps it in `ERR_SESSION_STORE`); a record is never returned after
 * its `expiresAt` (epoch ms).
 *
 * There is no `touch`: the manager refreshes a session's idle deadline by rewriting its record
 * (compare-and-set where the store has `setIf`), since the record carries its last-seen time.
 */
export interface SessionStore {
  /**
   * The value stored under `key`, or undefined when missing or expired.
   *
   * A store whose reads never wait (memory, SQLite) answers with the value itself, without a
   * promise, so the manager loads a session without a promise turn; a store that does I/O
   * returns a promise of the value. Callers must accept both: `await store.get(key)` does, while
   * `store.get(key).then(...)` does not.
   */
  get(key: string): string | undefined | Promise<string | undefined>;
  /** Insert or overwrite. */
  set(key: string, value: string, expiresAt: number, meta?: StoreWriteMeta): Promise<void>;
  /** Idempotent: deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Atomic compare-and-set: write only if the stored value is still `previous`
   * (`previous === undefined`: only if no live record exists). Returns whether it wrote.
   */
  setIf?(key: string, value: string, expiresAt: number, previous: string | undefined, meta?: StoreWriteMeta): Promise<boolean>;
  /** The live records indexed under `userId`. */
  listByUser?(userId: string): Promise<StoredSession[]>;
  /** Delete every record of `userId` except the keys in `exceptKeys`; returns how many went. */
  deleteByUser?(userId: string, exceptKeys?: readonly string[]): Promise<number>;
  /** Housekeeping: delete expired records; returns how many went. */
  deleteExpired?(): Promise<number>;
  /** Release what the store owns (timers, its own connections), never the user's client. */
  close?(): Promise<void>;
}

/** Refuses, at construction, an option that needs compare-and-set on a store without `setIf`. */
export function requireCompareAndSet(store: SessionStore, option: string, why: string): void {
  if (typeof store.setIf === 'function') return;
  throw new SessionError('ERR_SESSION_CONFIG', `${option} needs a store with setIf (compare-and-set): ${why}. Every tessera store (memory, sqlite, redis, postgres, mysql) has it; an express-session store through tessera-session/connect does not`);
}
