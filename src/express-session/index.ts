// `tessera-session/express-session`: a drop-in replacement for express-session 1.x.
//   import session from 'tessera-session/express-session'       (ESM)
//   const session = require('tessera-session/express-session')  (CommonJS, Node >= 20.19 require(esm))
// Both give the middleware factory itself, carrying .Store, .MemoryStore, .Cookie and .Session.
import { Cookie } from './cookie.js';
import { MemoryStore } from './memory-store.js';
import { session as createMiddleware } from './middleware.js';
import type { SessionMiddleware, SessionOptions } from './options.js';
import { Session } from './session.js';
import { Store } from './store.js';
import { TesseraStore } from './tessera-store.js';

/** The factory as express-session exports it: callable, with the classes as properties. */
export interface SessionFactory {
  /**
   * Creates the session middleware, as `session(options)` in express-session 1.19: same options,
   * defaults, deprecation warnings and error messages (see {@link SessionOptions}), plus tessera's
   * opt-in fixes. Throws a TypeError on an invalid `genid`, `unset` or empty `secret` array.
   * Where it behaves differently (promises, a bounded MemoryStore, no split response body, ...),
   * docs/migrating-from-express-session.md says so.
   */
  (options?: SessionOptions): SessionMiddleware;
  /** The Store base class every express-session store extends (`Store.call(this)`, `util.inherits`). */
  Store: typeof Store;
  /** The default store: express-session's MemoryStore, bounded (tessera: `maxEntries`, `checkPeriod`). */
  MemoryStore: typeof MemoryStore;
  /** The class of `req.session.cookie`. */
  Cookie: typeof Cookie;
  /** The class of `req.session`. */
  Session: typeof Session;
  /** tessera: wraps a tessera SessionStore explicitly (passing one as `store` wraps it for you). */
  TesseraStore: typeof TesseraStore;
  /** The factory again, for tools that look for `default` on a CommonJS export. */
  default: SessionFactory;
}

/**
 * The middleware factory, `session(options)`, carrying `Store`, `MemoryStore`, `Cookie`, `Session`
 * and `TesseraStore`: what `require('tessera-session/express-session')` returns and the default
 * export. express-session 1.19's options and defaults, plus tessera's opt-in fixes (see {@link SessionOptions}).
 */
const factory = function session(options?: SessionOptions): SessionMiddleware {
  return createMiddleware(options);
} as SessionFactory;
factory.Store = Store;
factory.MemoryStore = MemoryStore;
factory.Cookie = Cookie;
factory.Session = Session;
factory.TesseraStore = TesseraStore;
factory.default = factory;

export default factory;
// `require('tessera-session/express-session')` returns exactly this value (Node's require(esm) honours an
// export named "module.exports").
export { factory as 'module.exports' };
export { factory as session, Cookie, MemoryStore, Session, Store, TesseraStore };
export { isTesseraStore } from './tessera-store.js';
export { sign, unsign } from './signature.js';
export type { SecretKey } from './signature.js';
export type { CookieData, CookieOptions } from './cookie.js';
export type { MemoryStoreOptions } from './memory-store.js';
export type { NextFunction, SessionMiddleware, SessionOptions } from './options.js';
export type { Callback, RequestSession, SessionData, SessionRequest, StoreMethods } from './session.js';
// Types req.session, req.sessionID and req.sessionStore on Express's Request (see the file).
export type { ExpressRequestSession } from './express-request.js';
export type { StoreConstructor } from './store.js';
export type { TesseraStoreOptions } from './tessera-store.js';
