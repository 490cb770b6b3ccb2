import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { SessionError } from './errors.js';
import type { SessionStore, StoreWriteMeta, StoredSession } from './store.js';

/** Options of `new MemoryStore(options)`. */
export interface MemoryStoreOptions {
  /** Most records kept; the least recently used goes first. Default 100 000. */
  maxEntries?: number;
  /** Sweep expired records every this many seconds (an unref'd timer). Default off: they go when read or evicted. */
  sweepInterval?: number;
  /** Time source for expiry. Default the system clock. */
  clock?: Clock;
}

interface Entry {
  value: string;
  expiresAt: number;
  userId: string | undefined;
}

/**
 * A bounded in-process store of encoded strings (never live objects). Good for development,
 * tests and single-process apps; sessions are lost on restart. Supports compare-and-set and the
 * per-user index. Reads are synchronous: `get` returns the value, not a promise.
 */
export class MemoryStore implements SessionStore {
  readonly #entries = new Map<string, Entry>();
  /** userId -> its record keys: one key as a plain string (most users), a Set from the second on. */
  readonly #byUser = new Map<string, string | Set<string>>();
  readonly #maxEntries: number;
  readonly #clock: Clock;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    const max = options.maxEntries ?? 100_000;
    if (!Number.isInteger(max) || max < 1) throw new SessionError('ERR_SESSION_CONFIG', `maxEntries must be a positive integer; got ${String(max)}`);
    this.#maxEntries = max;
    this.#clock = options.clock ?? systemClock;
    if (options.sweepInterval !== undefined) {
      if (!(options.sweepInterval > 0)) throw new SessionError('ERR_SESSION_CONFIG', 'sweepInterval must be a positive number of seconds');
      this.#timer = setInterval(() => void this.deleteExpired(), options.sweepInterval * 1000);
      this.#timer.unref();
    }
  }

  /** Number of records held, expired ones included until they are seen. */
  get size(): number {
    return this.#entries.size;
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#clock.now()) {
      this.#remove(key, entry);
      return undefined;
    }
    return entry;
  }

  #remove(key: string, entry: Entry): void {
    this.#entries.delete(key);
    if (entry.userId !== undefined) {
      const keys = this.#byUser.get(entry.userId);
      if (keys === key) this.#byUser.delete(entry.userId);
      else if (typeof keys === 'object') {
        keys.delete(key);
        if (keys.size === 0) this.#byUser.delete(entry.userId);
      }
    }
  }

  #put(key: string, value: string, expiresAt: number, userId: string | undefined): void {
    const old = this.#entries.get(key);
    if (old !== undefined) this.#remove(key, old);
    if (expiresAt <= this.#clock.now()) return;
    // Number() makes V8 flatten the rope of 32-, 64-, 128-character parts JSON.stringify answers with: 519 → 423 bytes a session.
    void Number(value);
    this.#entries.set(key, { value, expiresAt, userId });
    if (userId !== undefined) {
      const keys = this.#byUser.get(userId);
      if (keys === undefined) this.#byUser.set(userId, key);
      else if (typeof keys === 'object') keys.add(key);
      else if (keys !== key) this.#byUser.set(userId, new Set([keys, key]));
    }
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#remove(oldest, this.#entries.get(oldest)!);
    }
  }

  /** Answers synchronously: the value itself, never a promise. */
  get(key: string): string | undefined {
    const entry = this.#live(key);
    if (entry === undefined) return undefined;
    // Move to the back: Map order is the LRU order.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  async set(key: string, value: string, expiresAt: number, meta?: StoreWriteMeta): Promise<void> {
    this.#put(key, value, expiresAt, meta?.userId);
  }

  async setIf(key: string, value: string, expiresAt: number, previous: string | undefined, meta?: StoreWriteMeta): Promise<boolean> {
    const current = this.#live(key);
    if (current?.value !== previous) return false;
    this.#put(key, value, expiresAt, meta?.userId);
    return true;
  }

  async delete(key: string): Promise<void> {
    const entry = this.#entries.get(key);
    if (entry !== undefined) this.#remove(key, entry);
  }

  async listByUser(userId: string): Promise<StoredSession[]> {
    const result: StoredSession[] = [];
    for (const key of this.#keysOf(userId)) {
      const entry = this.#live(key);
      if (entry !== undefined) result.push({ key, value: entry.value, expiresAt: entry.expiresAt });
    }
    return result;
  }

  async deleteByUser(userId: string, exceptKeys: readonly string[] = []): Promise<number> {
    let count = 0;
    for (const key of this.#keysOf(userId)) {
      if (exceptKeys.includes(key)) continue;
      const entry = this.#entries.get(key);
      if (entry !== undefined) {
        this.#remove(key, entry);
        count++;
      }
    }
    return count;
  }

  /** A copy of a user's keys (the caller may remove records while it iterates). */
  #keysOf(userId: string): string[] {
    const keys = this.#byUser.get(userId);
    return keys === undefined ? [] : typeof keys === 'string' ? [keys] : [...keys];
  }

  async deleteExpired(): Promise<number> {
    const now = this.#clock.now();
    let count = 0;
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt <= now) {
        this.#remove(key, entry);
        count++;
      }
    }
    return count;
  }

  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
