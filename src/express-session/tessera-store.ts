// A tessera SessionStore (MemoryStore, SqliteStore, RedisStore, PostgresStore, ...) as an
// express-session store. Sessions are stored as JSON under a hash of the session ID (so a leaked
// store dump gives no live cookie), expiring at `cookie.expires`, or after `ttl` for
// browser-session cookies. The middleware wraps a tessera store passed as `store` automatically.
import { cookieExpiresAt, storeError } from '../adapter/index.js';
import { hashStoreKey } from '../index.js';
import type { SessionStore } from '../index.js';
import { Store } from './store.js';
import type { Callback, SessionData } from './session.js';

/** Options of `new TesseraStore(store, options)` (tessera only). */
export interface TesseraStoreOptions {
  /** Seconds a session whose cookie has no `expires` is kept. Default 86 400 (one day). */
  ttl?: number;
  /** Store under the SHA-256 of the session ID (default true) or the raw ID. */
  hashKeys?: boolean;
}

/** True when `value` looks like a tessera SessionStore rather than an express-session store. */
export function isTesseraStore(value: unknown): value is SessionStore {
  const store = value as Partial<SessionStore> & { destroy?: unknown } | null | undefined;
  return typeof store?.get === 'function' && typeof store.set === 'function' && typeof store.delete === 'function' && typeof store.destroy !== 'function';
}

const BaseStore = Store as unknown as new () => Store;

/** Runs `operation` and answers `callback` Node-style; a failure becomes `ERR_SESSION_STORE`. */
function settle<T>(callback: Callback<T> | undefined, operation: string, run: () => Promise<T>): void {
  run().then(
    (result) => (result === undefined ? callback?.(null) : callback?.(null, result)),
    (error: unknown) => callback?.(storeError(operation, error)),
  );
}

function parse(value: string | undefined): SessionData | undefined {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as SessionData;
  } catch {
    return undefined;
  }
}

/**
 * An express-session store over a tessera SessionStore (tessera only): records are JSON under the
 * SHA-256 of the session ID (unless `hashKeys: false`), expiring with the cookie. Passing a
 * tessera store as `store` wraps it in one with the default options. No `all`, `clear` or
 * `length`: tessera stores cannot list their records. Store failures reach the callbacks as
 * SessionErrors (`ERR_SESSION_STORE`, the driver's error as `cause`). `close()` closes the
 * wrapped store.
 */
export class TesseraStore extends BaseStore {
  readonly #store: SessionStore;
  readonly #ttlMs: number;
  readonly #hashKeys: boolean;

  /** Throws a TypeError when `store` is not a tessera SessionStore or `ttl` not a positive number. */
  constructor(store: SessionStore, options: TesseraStoreOptions = {}) {
    super();
    if (!isTesseraStore(store)) throw new TypeError('TesseraStore needs a tessera SessionStore (get, set, delete)');
    const ttl = options.ttl ?? 86_400;
    if (!(ttl > 0) || !Number.isFinite(ttl)) throw new TypeError('ttl must be a positive number of seconds');
    this.#store = store;
    this.#ttlMs = ttl * 1000;
    this.#hashKeys = options.hashKeys ?? true;
  }

  #key(sid: string): string {
    return this.#hashKeys ? hashStoreKey(sid) : sid;
  }

  #expiresAt(session: SessionData): number {
    return cookieExpiresAt(session.cookie?.expires) ?? Date.now() + this.#ttlMs;
  }

  /** Calls back with session `sid`, or null when there is none (or its record is not valid JSON). */
  override get(sid: string, callback: Callback<SessionData | null | undefined>): void {
    // The store may answer with a value or a promise of one.
    settle(callback, 'get', async () => parse(await this.#store.get(this.#key(sid))) ?? null);
  }

  /**
   * Stores `session` as JSON until its `cookie.expires`, or for `ttl` seconds when it has none; a
   * session whose cookie has already expired is deleted instead.
   */
  override set(sid: string, session: SessionData, callback?: Callback): void {
    const key = this.#key(sid);
    const expiresAt = this.#expiresAt(session);
    settle(callback, 'set', () => (expiresAt > Date.now() ? this.#store.set(key, JSON.stringify(session), expiresAt) : this.#store.delete(key)));
  }

  /** Deletes session `sid`. */
  override destroy(sid: string, callback?: Callback): void {
    settle(callback, 'delete', () => this.#store.delete(this.#key(sid)));
  }

  /**
   * express-session's touch: the stored session keeps its data and takes `session.cookie`, with
   * the expiry that cookie gives. A read and a rewrite (tessera stores have no touch of their
   * own); with `setIf` the rewrite happens only if the record is still the one read, so a touch
   * never brings back a session destroyed meanwhile nor overwrites a newer save. A missing
   * session stays missing.
   */
  override touch(sid: string, session: SessionData, callback?: Callback): void {
    const key = this.#key(sid);
    const expiresAt = this.#expiresAt(session);
    settle(callback, 'touch', async () => {
      const value = await this.#store.get(key);
      const data = parse(value);
      if (data === undefined) return;
      if (!(expiresAt > Date.now())) return this.#store.delete(key);
      data.cookie = session.cookie;
      const json = JSON.stringify(data);
      if (this.#store.setIf !== undefined) await this.#store.setIf(key, json, expiresAt, value);
      else await this.#store.set(key, json, expiresAt);
    });
  }

  /** Closes the wrapped store (its timers and own connections, never your client). */
  async close(): Promise<void> {
    await this.#store.close?.();
  }
}
