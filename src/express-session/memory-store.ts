// The default store (`session.MemoryStore`): the express-session MemoryStore contract (JSON
// strings keyed by session ID, callbacks deferred with setImmediate, lazy expiry on get/all/touch,
// `all()` as an object keyed by ID) but bounded: at most `maxEntries` sessions, least recently
// used evicted first, and an optional unref'd sweep of expired sessions.
import { cookieExpiresAt } from '../adapter/index.js';
import { Store } from './store.js';
import type { Callback, SessionData } from './session.js';

/** Options of the drop-in's MemoryStore: tessera's additions (express-session's MemoryStore takes none). */
export interface MemoryStoreOptions {
  /** Most sessions kept; the least recently used goes first. Default 100 000. */
  maxEntries?: number;
  /** Remove expired sessions every this many milliseconds (an unref'd timer). Default off. */
  checkPeriod?: number;
}

const BaseStore = Store as unknown as new () => Store;

/**
 * The default store (`session.MemoryStore`): express-session's MemoryStore (sessions as JSON in
 * this process, callbacks on a later turn, expired sessions dropped when read, `all()` as an
 * object keyed by session ID), but bounded: at most `maxEntries` sessions, the least recently
 * used evicted first, and an optional sweep every `checkPeriod` ms. Sessions are lost on restart
 * and not shared between processes; `session()` warns when it gets one with
 * `NODE_ENV=production`. Its timer is unref'd: it never keeps the process alive.
 */
export class MemoryStore extends BaseStore {
  readonly #sessions = new Map<string, string>();
  readonly #maxEntries: number;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Throws a TypeError when `maxEntries` is not a positive integer or `checkPeriod` not a positive number. */
  constructor(options: MemoryStoreOptions = {}) {
    super();
    const max = options.maxEntries ?? 100_000;
    if (!Number.isInteger(max) || max < 1) throw new TypeError('maxEntries must be a positive integer');
    this.#maxEntries = max;
    if (options.checkPeriod !== undefined) {
      if (!(options.checkPeriod > 0)) throw new TypeError('checkPeriod must be a positive number of milliseconds');
      this.#timer = setInterval(() => this.prune(), options.checkPeriod);
      this.#timer.unref();
    }
  }

  /** The live session `sid`, parsed; an expired one is deleted. */
  #read(sid: string): SessionData | undefined {
    const json = this.#sessions.get(sid);
    if (json === undefined) return undefined;
    let data: SessionData;
    try {
      data = JSON.parse(json) as SessionData;
    } catch {
      this.#sessions.delete(sid);
      return undefined;
    }
    const at = cookieExpiresAt(data.cookie?.expires);
    if (at !== undefined && at <= Date.now()) {
      this.#sessions.delete(sid);
      return undefined;
    }
    return data;
  }

  #write(sid: string, json: string): void {
    this.#sessions.delete(sid);
    this.#sessions.set(sid, json);
    let excess = this.#sessions.size - this.#maxEntries;
    for (const oldest of this.#sessions.keys()) {
      if (excess <= 0) break;
      this.#sessions.delete(oldest);
      excess--;
    }
  }

  /** Calls back with session `sid`, or undefined when there is none or it has expired (then deleted). Marks it most recently used. */
  override get(sid: string, callback: Callback<SessionData | null | undefined>): void {
    const data = this.#read(sid);
    if (data !== undefined) {
      // Map order is the LRU order: move to the back.
      const json = this.#sessions.get(sid)!;
      this.#sessions.delete(sid);
      this.#sessions.set(sid, json);
    }
    setImmediate(callback, null, data);
  }

  /** Stores `session` under `sid` as most recently used, evicting the least recently used beyond `maxEntries`. */
  override set(sid: string, session: SessionData, callback?: Callback): void {
    this.#write(sid, JSON.stringify(session));
    if (callback) setImmediate(callback, null);
  }

  /** Deletes session `sid`. */
  override destroy(sid: string, callback?: Callback): void {
    this.#sessions.delete(sid);
    if (callback) setImmediate(callback, null);
  }

  /** Gives the stored session `session.cookie` (and so its new expiry), keeping its data; a missing or expired session stays missing. */
  override touch(sid: string, session: SessionData, callback?: Callback): void {
    const current = this.#read(sid);
    if (current !== undefined) {
      current.cookie = session.cookie;
      this.#write(sid, JSON.stringify(current));
    }
    if (callback) setImmediate(callback, null);
  }

  /** Every live session, as an object keyed by session ID (as express-session's MemoryStore). */
  override all(callback: Callback<Record<string, SessionData>>): void {
    const result: Record<string, SessionData> = Object.create(null);
    for (const sid of [...this.#sessions.keys()]) {
      const data = this.#read(sid);
      if (data !== undefined) result[sid] = data;
    }
    setImmediate(callback, null, result);
  }

  /** Deletes every session. */
  override clear(callback?: Callback): void {
    this.#sessions.clear();
    if (callback) setImmediate(callback, null);
  }

  /** Calls back with the number of live sessions (expired ones are deleted on the way). */
  override length(callback: Callback<number>): void {
    this.all((error, sessions) => callback(error, error ? undefined : Object.keys(sessions ?? {}).length));
  }

  /** Deletes expired sessions now; returns how many went. */
  prune(): number {
    let count = 0;
    for (const sid of [...this.#sessions.keys()]) {
      const before = this.#sessions.size;
      this.#read(sid);
      if (this.#sessions.size < before) count++;
    }
    return count;
  }

  /** Stops the `checkPeriod` timer. */
  stopPruning(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
