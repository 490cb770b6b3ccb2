// A tessera SessionStore (MemoryStore, SqliteStore, RedisStore, PostgresStore, ...) as an
// express-session store. Sessions are stored as JSON under a hash of the session ID (so a leaked
// store dump gives no live cookie), expiring at `cookie.expires`, or after `ttl` for
// browser-session cookies. The middleware wraps a tessera store passed as `store` automatically.
import { hashStoreKey, storeError } from '../core/index.js';
import type { SessionStore } from '../core/index.js';
import { Store } from './store.js';
import type { Callback, SessionData } from './session.js';

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

function done(callback: Callback | undefined, promise: Promise<unknown>, operation: string): void {
  promise.then(
    () => callback?.(null),
    (error: unknown) => callback?.(storeError(operation, error)),
  );
}

/** An express-session store over a tessera SessionStore. `close()` closes the wrapped store. */
export class TesseraStore extends BaseStore {
  readonly #store: SessionStore;
  readonly #ttlMs: number;
  readonly #hashKeys: boolean;

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
    const expires = (session.cookie as { expires?: unknown } | undefined)?.expires;
    const at = expires instanceof Date ? expires.getTime() : typeof expires === 'string' ? Date.parse(expires) : NaN;
    return Number.isNaN(at) ? Date.now() + this.#ttlMs : at;
  }

  override get(sid: string, callback: Callback<SessionData | null | undefined>): void {
    this.#store.get(this.#key(sid)).then(
      (value) => {
        let data: SessionData | null = null;
        if (value !== undefined) {
          try {
            data = JSON.parse(value) as SessionData;
          } catch {
            data = null;
          }
        }
        callback(null, data);
      },
      (error: unknown) => callback(storeError('get', error)),
    );
  }

  override set(sid: string, session: SessionData, callback?: Callback): void {
    const key = this.#key(sid);
    const expiresAt = this.#expiresAt(session);
    const write = expiresAt > Date.now() ? this.#store.set(key, JSON.stringify(session), expiresAt) : this.#store.delete(key);
    done(callback, write, 'set');
  }

  override destroy(sid: string, callback?: Callback): void {
    done(callback, this.#store.delete(this.#key(sid)), 'delete');
  }

  override touch(sid: string, session: SessionData, callback?: Callback): void {
    const key = this.#key(sid);
    const expiresAt = this.#expiresAt(session);
    if (typeof this.#store.touch === 'function') {
      done(callback, this.#store.touch(key, expiresAt), 'touch');
      return;
    }
    // No native touch: rewrite the record with its new expiry, if it still exists.
    const rewrite = this.#store.get(key).then((value) => {
      if (value === undefined) return undefined;
      let data: SessionData;
      try {
        data = JSON.parse(value) as SessionData;
      } catch {
        return undefined;
      }
      data.cookie = session.cookie;
      return this.#store.set(key, JSON.stringify(data), expiresAt);
    });
    done(callback, rewrite, 'touch');
  }

  /** Closes the wrapped store (its timers and own connections, never your client). */
  async close(): Promise<void> {
    await this.#store.close?.();
  }
}
