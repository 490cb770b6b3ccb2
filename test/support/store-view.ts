import type { SessionStore } from '../../src/index.js';

type Optional = 'setIf' | 'listByUser' | 'deleteByUser' | 'deleteExpired';

/**
 * A plain object forwarding to `store`'s methods, without the optional ones named in `omit`, and
 * with `overrides` in place of its own: a store that lacks a capability, or answers differently.
 */
export function storeView(store: Required<Pick<SessionStore, Optional>> & SessionStore, omit: readonly Optional[] = [], overrides: Partial<SessionStore> = {}): SessionStore {
  const view: SessionStore = {
    get: (key) => store.get(key),
    set: (key, value, expiresAt, meta) => store.set(key, value, expiresAt, meta),
    delete: (key) => store.delete(key),
    setIf: (key, value, expiresAt, previous, meta) => store.setIf(key, value, expiresAt, previous, meta),
    listByUser: (userId) => store.listByUser(userId),
    deleteByUser: (userId, exceptKeys) => store.deleteByUser(userId, exceptKeys),
    deleteExpired: () => store.deleteExpired(),
    close: () => store.close?.() ?? Promise.resolve(),
    ...overrides,
  };
  for (const method of omit) delete view[method];
  return view;
}
