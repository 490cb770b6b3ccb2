import type { SessionStore, StoreWriteMeta, StoredSession } from '../../src/index.js';

export interface StoreCall {
  op: string;
  key?: string;
}

/** Wraps a store and records every call, so tests can assert which keys were touched. */
export class RecordingStore implements SessionStore {
  readonly calls: StoreCall[] = [];
  /** When set, every call rejects with this error. */
  failWith: Error | undefined;

  constructor(readonly inner: SessionStore) {}

  #call<T>(op: string, key: string | undefined, run: () => T | Promise<T>): Promise<T> {
    this.calls.push(key === undefined ? { op } : { op, key });
    if (this.failWith) return Promise.reject(this.failWith);
    return Promise.resolve(run());
  }

  writes(): StoreCall[] {
    return this.calls.filter((c) => c.op !== 'get' && c.op !== 'listByUser');
  }

  reset(): void {
    this.calls.length = 0;
  }

  get(key: string) {
    return this.#call('get', key, () => this.inner.get(key));
  }
  set(key: string, value: string, expiresAt: number, meta?: StoreWriteMeta) {
    return this.#call('set', key, () => this.inner.set(key, value, expiresAt, meta));
  }
  setIf(key: string, value: string, expiresAt: number, previous: string | undefined, meta?: StoreWriteMeta) {
    return this.#call('setIf', key, () => this.inner.setIf!(key, value, expiresAt, previous, meta));
  }
  delete(key: string) {
    return this.#call('delete', key, () => this.inner.delete(key));
  }
  listByUser(userId: string): Promise<StoredSession[]> {
    return this.#call('listByUser', undefined, () => this.inner.listByUser!(userId));
  }
  deleteByUser(userId: string, exceptKeys?: readonly string[]) {
    return this.#call('deleteByUser', undefined, () => this.inner.deleteByUser!(userId, exceptKeys));
  }
}
