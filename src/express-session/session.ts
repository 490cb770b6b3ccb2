// `req.session`: the session data as plain properties, plus non-enumerable methods. Methods take
// a Node-style callback as in express-session; called without one they return a promise instead
// (a promise nobody awaits never raises an unhandled rejection, as an ignored callback never did).
// The types of the Store contract are here too, because a Session works through its store and a
// store makes Sessions: store.ts implements the base class on these types.
import type { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { contexts } from './context.js';
import type { Cookie } from './cookie.js';

/** A Node-style callback. */
export type Callback<T = void> = (error?: any, result?: T) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Your session data: what `req.session` carries besides its methods, and what stores hold. It has
 * only `cookie` until you augment it, as with @types/express-session; each property you declare
 * types `req.session.<name>` (optional there, since a new session has none of them):
 *
 * @example
 * declare module 'tessera-session/express-session' {
 *   interface SessionData { views: number; userId: string }
 * }
 */
export interface SessionData {
  /** The cookie: a `Cookie` on `req.session`; in a store's record, its JSON (`expires` as a date string). */
  cookie: Cookie;
}

/** `req.session`: the Session's methods, `id` and `cookie`, plus your `SessionData` as optional properties. */
export type RequestSession = Session & Partial<SessionData>;

/**
 * The callback API every express-session store implements: `get`, `set` and `destroy` required,
 * `touch` recommended, `all`, `clear` and `length` optional (the middleware never calls those three).
 */
export interface StoreMethods {
  /**
   * Calls back with session `sid` as stored (its JSON: `cookie.expires` may be a date string), or
   * with null or undefined when there is none. The middleware treats an error whose `code` is
   * `'ENOENT'` as none too; any other error goes to `next(err)`.
   */
  get(sid: string, callback: Callback<SessionData | null | undefined>): void;
  /** Stores `session` under `sid`, replacing what was there. */
  set(sid: string, session: SessionData, callback?: Callback): void;
  /** Deletes session `sid`. */
  destroy(sid: string, callback?: Callback): void;
  /**
   * Optional, recommended: refreshes the stored session's expiry from `session.cookie` without a
   * full save. The middleware calls it at the end of a request whose session came from the cookie
   * when it does not save it (with `resave: false`: unchanged since it was loaded or saved).
   */
  touch?(sid: string, session: SessionData, callback?: Callback): void;
  /** Optional: every session, as an array or as an object keyed by session ID (the MemoryStore gives an object). */
  all?(callback: Callback<SessionData[] | Record<string, SessionData> | null>): void;
  /** Optional: deletes every session. */
  clear?(callback?: Callback): void;
  /** Optional: calls back with the number of sessions. */
  length?(callback: Callback<number>): void;
}

// @inline: the package exports this interface only through store.ts's `Store` alias, so TypeDoc
// would report the references to it here (SessionOptions.store, SessionRequest.sessionStore) as
// unexported; inlined, they list its methods instead. Declaring the interface in store.ts, beside
// the `Store` constant, would let them link to `Store` and make the tag unnecessary.
/**
 * An express-session store: an EventEmitter (`'disconnect'` makes the middleware skip sessions
 * until `'connect'`) with the {@link StoreMethods}, plus what the Store base class supplies.
 *
 * @inline
 */
export interface Store extends EventEmitter, StoreMethods {
  /** Destroys `req.sessionID` in the store, then gives `req` a new empty session. */
  regenerate(req: SessionRequest, callback: Callback): void;
  /** The stored session `sid` as a Session, or undefined when there is none. */
  load(sid: string, callback: Callback<RequestSession | undefined>): void;
  /** Turns stored data into `req.session` (a Session with a Cookie) and returns it. */
  createSession(req: SessionRequest, data: SessionData): RequestSession;
  /** Set by the middleware: gives `req` a new session. */
  generate?(req: SessionRequest): void;
}

/** A request as the middleware leaves it (Express's `Request` gets the same members, see express-request.ts). */
export interface SessionRequest extends IncomingMessage {
  /** The session; undefined before the middleware ran, when the store is disconnected, and after `destroy()`. */
  session?: RequestSession | null | undefined;
  /** The session ID (from the cookie, or new). */
  sessionID?: string | undefined;
  /** The store the middleware uses. */
  sessionStore?: Store | undefined;
  /** cookie-parser's secret, the fallback when no `secret` option is given (deprecated). */
  secret?: unknown;
  /** cookie-parser's cookies: the session cookie is looked for here (still `s:`-signed) when the Cookie header gives no valid one (deprecated). */
  cookies?: Record<string, unknown>;
  /** cookie-parser's signed cookies: the session ID is taken from here when the Cookie header gives no valid one (deprecated). */
  signedCookies?: Record<string, unknown>;
  /** Express's `req.secure` (honours `trust proxy`). */
  secure?: boolean;
  /** Express's original URL: the path checked against `cookie.path` (else `req.url`). */
  originalUrl?: string;
}

function settle(self: Session, callback: Callback | undefined, run: (done: Callback) => void): Session | Promise<void> {
  if (typeof callback === 'function') {
    run(callback);
    return self;
  }
  const promise = new Promise<void>((resolve, reject) => {
    run((error?: unknown) => (error ? reject(error) : resolve()));
  });
  promise.catch(() => {});
  return promise;
}

/**
 * `req.session`'s class (`session.Session`): your data and `cookie` as plain enumerable properties
 * (what is stored), the non-enumerable `id` and `req`, and express-session's methods.
 * tessera: `save`, `reload`, `destroy` and `regenerate` return a promise when called without a callback.
 */
export class Session {
  /** The session cookie's settings. */
  declare cookie: Cookie;
  /** The session ID (non-writable, non-enumerable): `req.sessionID` when the session was made. */
  declare readonly id: string;
  /** The request the session belongs to (non-writable, non-enumerable: it is not stored). */
  declare readonly req: SessionRequest;

  /** A session for `req` with ID `req.sessionID`, copying `data`'s properties except those that clash with a method, `id` or `req`. */
  constructor(req: SessionRequest, data?: object | null) {
    Object.defineProperty(this, 'req', { value: req });
    Object.defineProperty(this, 'id', { value: req.sessionID });
    if (typeof data === 'object' && data !== null) {
      const source = data as Record<string, unknown>;
      // Stored names that clash with a method or `id`/`req` are dropped, as upstream does.
      const target = this as unknown as Record<string, unknown>;
      for (const key in source) if (!(key in this)) target[key] = source[key];
    }
  }

  /** Resets the cookie's expiry to now + originalMaxAge. Does not call the store's `touch`. */
  touch(callback?: Callback): this {
    this.resetMaxAge();
    if (typeof callback === 'function') callback(null);
    return this;
  }

  /** `cookie.maxAge = cookie.originalMaxAge`. */
  resetMaxAge(callback?: Callback): this {
    this.cookie.maxAge = this.cookie.originalMaxAge;
    if (typeof callback === 'function') callback(null);
    return this;
  }

  /** Writes the session to the store now (the end of the response then skips an unchanged save). */
  save(): Promise<void>;
  save(callback: Callback): this;
  save(callback?: Callback): this | Promise<void> {
    contexts.get(this.req)?.saved(this);
    return settle(this, callback, (done) => this.req.sessionStore!.set(this.id, this as unknown as SessionData, done)) as this | Promise<void>;
  }

  /** Replaces `req.session` with what the store holds; `Error('failed to load session')` when it holds nothing. */
  reload(): Promise<void>;
  reload(callback: Callback): this;
  reload(callback?: Callback): this | Promise<void> {
    const req = this.req;
    const store = req.sessionStore!;
    return settle(this, callback, (done) => {
      store.get(this.id, (error, data) => {
        if (error) return done(error);
        if (!data) return done(new Error('failed to load session'));
        store.createSession(req, data);
        done();
      });
    }) as this | Promise<void>;
  }

  /** Removes `req.session` and destroys the stored session. */
  destroy(): Promise<void>;
  destroy(callback: Callback): this;
  destroy(callback?: Callback): this | Promise<void> {
    const req = this.req;
    delete req.session;
    contexts.get(req)?.destroyed(this.cookie);
    return settle(this, callback, (done) => req.sessionStore!.destroy(this.id, done)) as this | Promise<void>;
  }

  /**
   * Destroys the stored session and gives the request a new ID and a new, empty session (or,
   * with `regenerateKeepsData: true`, one carrying this session's data).
   */
  regenerate(): Promise<void>;
  regenerate(callback: Callback): this;
  regenerate(callback?: Callback): this | Promise<void> {
    const req = this.req;
    const keep = contexts.get(req)?.keepDataOnRegenerate === true;
    const data: Record<string, unknown> = {};
    const own = this as unknown as Record<string, unknown>;
    if (keep) for (const key of Object.keys(this)) if (key !== 'cookie') data[key] = own[key];
    return settle(this, callback, (done) => {
      req.sessionStore!.regenerate(req, (error?: unknown) => {
        if (keep && !error && req.session) {
          const fresh = req.session as unknown as Record<string, unknown>;
          for (const key of Object.keys(data)) if (!(key in fresh)) fresh[key] = data[key];
        }
        done(error);
      });
    }) as this | Promise<void>;
  }
}
