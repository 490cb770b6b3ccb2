// A store built on another copy of express-session's Store (connect-redis extends the real
// package's, which it lists as a peer dependency) inherits that package's regenerate, load and
// createSession: they would make that package's Session objects, without this package's promise
// forms, opt-in fixes or cookie handling. The drop-in gives such a store its own.
import { Store } from './store.js';
import type { Store as StoreInstance, StoreMethods } from './session.js';

const ADOPTED = ['regenerate', 'load', 'createSession'] as const;

/** The object on `store`'s prototype chain that defines `name` itself, if any. */
function ownerOf(store: object, name: string): object | undefined {
  for (let at: object | null = store; at !== null; at = Object.getPrototypeOf(at) as object | null) {
    if (Object.hasOwn(at, name)) return at;
  }
  return undefined;
}

/**
 * `store` with this package's `regenerate`, `load` and `createSession` where it has none, or has
 * them from a Store base class other than this package's (another express-session's). What the
 * store's own class, or the store object itself, defines is left alone, as express-session
 * would call it. A store of this package's `Store` is returned as it is.
 */
export function adoptStore(store: StoreMethods): StoreInstance {
  if (store instanceof Store) return store;
  const target = store as unknown as Record<string, unknown>;
  for (const name of ADOPTED) {
    const owner = ownerOf(store, name);
    const inherited = owner === undefined || (owner !== store && (owner as { constructor?: { name?: unknown } }).constructor?.name === 'Store');
    if (inherited) target[name] = Store.prototype[name];
  }
  return store as StoreInstance;
}
