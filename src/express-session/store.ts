// The express-session Store base class. An ES5-style constructor on purpose: existing stores
// call `Store.call(this)` and `util.inherits(MyStore, Store)`, which an ES class forbids. It can
// also be called without `new`. Stores supply get/set/destroy (touch, all, clear, length
// optional); the base supplies regenerate, load and createSession on top of them.
import { EventEmitter } from 'node:events';
import { contexts } from './context.js';
import { Cookie } from './cookie.js';
import { Session } from './session.js';
import type { Callback, RequestSession, SessionData, SessionRequest, Store as StoreInstance } from './session.js';

/**
 * An express-session store: an EventEmitter (`'disconnect'` makes the middleware skip sessions until
 * `'connect'`) with the callback methods of {@link StoreMethods}, plus `regenerate`, `load` and
 * `createSession` from the Store base class. (The interface is declared in session.ts, beside
 * Session, which works through it.)
 *
 * @interface
 */
export type Store = StoreInstance;

/**
 * The type of `session.Store`: an ES5-style constructor, so that stores can call `Store.call(this)`
 * and `util.inherits(MyStore, Store)`; `new Store()` and `Store()` both make a base store.
 */
export interface StoreConstructor {
  /** A base store: an EventEmitter with `regenerate`, `load` and `createSession`, to which a store adds `get`, `set` and `destroy`. */
  new (): Store;
  /** Called without `new` it returns a new store too; `Store.call(this)` initialises `this` as an EventEmitter. */
  (): Store;
  /** Supplies `regenerate`, `load` and `createSession` (and EventEmitter's methods) to every store. */
  prototype: Store;
}

function StoreFunction(this: unknown): Store | void {
  if (!(this instanceof StoreFunction)) return new (StoreFunction as unknown as new () => Store)();
  (EventEmitter as unknown as (this: unknown) => void).call(this);
}

/** The Store base class (`session.Store`). */
export const Store = StoreFunction as unknown as StoreConstructor;
Object.defineProperty(StoreFunction, 'name', { value: 'Store' });
Object.setPrototypeOf(Store.prototype, EventEmitter.prototype);
Object.setPrototypeOf(Store, EventEmitter);

const base = Store.prototype as Store & { get: unknown; set: unknown; destroy: unknown };

base.regenerate = function regenerate(this: Store, req: SessionRequest, callback: Callback): void {
  this.destroy(req.sessionID as string, (error?: unknown) => {
    const context = contexts.get(req);
    if (context !== undefined) context.generate();
    else if (typeof this.generate === 'function') this.generate(req);
    callback(error);
  });
};

base.load = function load(this: Store, sid: string, callback: Callback<RequestSession | undefined>): void {
  this.get(sid, (error, data) => {
    if (error) {
      callback(error);
      return;
    }
    if (!data) {
      callback();
      return;
    }
    const req = { sessionID: sid, sessionStore: this } as SessionRequest;
    callback(null, this.createSession(req, data));
  });
};

base.createSession = function createSession(this: Store, req: SessionRequest, data: SessionData): RequestSession {
  // A record without `cookie` throws Node's own TypeError here, as express-session does.
  const stored = data.cookie as Record<string, unknown>;
  const expires = stored.expires;
  const originalMaxAge = stored.originalMaxAge as number | null;
  const cookie = new Cookie(stored);
  if (typeof expires === 'string') cookie.expires = new Date(expires);
  cookie.originalMaxAge = originalMaxAge;
  data.cookie = cookie;
  const session = new Session(req, data);
  req.session = session;
  return session;
};
