// The express-session Store base class. An ES5-style constructor on purpose: existing stores
// call `Store.call(this)` and `util.inherits(MyStore, Store)`, which an ES class forbids. It can
// also be called without `new`. Stores supply get/set/destroy (touch, all, clear, length
// optional); the base supplies regenerate, load and createSession on top of them.
import { EventEmitter } from 'node:events';
import { contexts } from './context.js';
import { Cookie } from './cookie.js';
import { Session } from './session.js';
import type { SessionRequest } from './session.js';

/** A Node-style callback. */
export type Callback<T = void> = (error?: any, result?: T) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A session as stores hold it: plain data plus a `cookie` with at least `expires`/`originalMaxAge`. */
export interface SessionData {
  cookie: Cookie | Record<string, unknown>;
  [key: string]: unknown;
}

/** The callback API every express-session store implements. */
export interface StoreMethods {
  get(sid: string, callback: Callback<SessionData | null | undefined>): void;
  set(sid: string, session: SessionData, callback?: Callback): void;
  destroy(sid: string, callback?: Callback): void;
  touch?(sid: string, session: SessionData, callback?: Callback): void;
  all?(callback: Callback<SessionData[] | Record<string, SessionData> | null>): void;
  clear?(callback?: Callback): void;
  length?(callback: Callback<number>): void;
}

export interface Store extends EventEmitter, StoreMethods {
  /** Destroys `req.sessionID` in the store, then gives `req` a new empty session. */
  regenerate(req: SessionRequest, callback: Callback): void;
  /** The stored session `sid` as a Session, or undefined when there is none. */
  load(sid: string, callback: Callback<Session | undefined>): void;
  /** Turns stored data into `req.session` (a Session with a Cookie) and returns it. */
  createSession(req: SessionRequest, data: SessionData): Session;
  /** Set by the middleware: gives `req` a new session. */
  generate?(req: SessionRequest): void;
}

export interface StoreConstructor {
  new (): Store;
  (): Store;
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

base.load = function load(this: Store, sid: string, callback: Callback<Session | undefined>): void {
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

base.createSession = function createSession(this: Store, req: SessionRequest, data: SessionData): Session {
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
