// A store for failure cases: a MemoryStore behind a switch that makes reads or writes fail or hang.
import { MemoryStore, SessionError } from '../index.js';
import type { SessionStore, StoreWriteMeta } from '../index.js';

/** What the store does now: work, throw, or never answer; for reads, writes, or both. */
export type Fault = 'none' | 'fail' | 'hang' | 'fail-writes' | 'hang-writes';

/** A working store (a `MemoryStore` inside, reached through `setIf`) until `fault` says otherwise. Not a MemoryStore subclass, so `storeTimeout` bounds it. */
export class FaultyStore implements SessionStore {
  /** What the store does now; switch it during a case. */
  fault: Fault = 'none';
  readonly #inner = new MemoryStore();

  #gate(write: boolean): Promise<void> {
    const fault = this.fault === 'fail' || (write && this.fault === 'fail-writes') ? 'fail' : this.fault === 'hang' || (write && this.fault === 'hang-writes') ? 'hang' : 'none';
    if (fault === 'fail') return Promise.reject(new SessionError('ERR_SESSION_STORE', 'FaultyStore: the backend is down (a test fault)'));
    if (fault === 'hang') return new Promise<void>(() => undefined);
    return Promise.resolve();
  }

  async get(key: string): Promise<string | undefined> {
    await this.#gate(false);
    return this.#inner.get(key);
  }

  async set(key: string, value: string, expiresAt: number, meta?: StoreWriteMeta): Promise<void> {
    await this.#gate(true);
    return this.#inner.set(key, value, expiresAt, meta);
  }

  async setIf(key: string, value: string, expiresAt: number, previous: string | undefined, meta?: StoreWriteMeta): Promise<boolean> {
    await this.#gate(true);
    return this.#inner.setIf(key, value, expiresAt, previous, meta);
  }

  async delete(key: string): Promise<void> {
    await this.#gate(true);
    return this.#inner.delete(key);
  }

  async close(): Promise<void> {
    await this.#inner.close();
  }
}
