// The `tessera-session/hono` entry: a Hono middleware on the Fetch adapter. `c.get('session')`.
import type { Context, MiddlewareHandler } from 'hono';
import type { DefaultSessionData, ManagerOptions, SessionManager } from '../index.js';
import { Session, SessionError, createSessionManager } from '../index.js';
import { asSessionError, sessionProtocol } from '../adapter/index.js';
import { loadSession, sessionErrorResponse } from '../fetch/index.js';
import type { FetchSessionOptions, LoadedSession } from '../fetch/index.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** The visitor's session, loaded by tessera's `session()` middleware. */
    session: Session<DefaultSessionData>;
  }
}

/** What the Hono middleware adds to the manager's options. */
export interface HonoSessionOptions extends FetchSessionOptions {
  /**
   * A store failure while loading: `'respond'` (default) answers 503 with `Retry-After`;
   * `'throw'` throws the `SessionError` for your `app.onError` (answer it with
   * `sessionErrorResponse(error)` from `tessera-session/fetch`, or your own 503).
   */
  onStoreError?: 'respond' | 'throw';
}

/** Options of the Hono middleware when it makes the manager: the manager's options plus `HonoSessionOptions`. */
export type HonoSessionSettings = ManagerOptions & HonoSessionOptions;

/**
 * A Hono `Env` whose `session` variable has your data type, for `new Hono<SessionEnv<MyData>>()`.
 * Without it, `c.get('session')` is typed by the `SessionData` augmentation.
 */
export interface SessionEnv<T extends object = DefaultSessionData> {
  /** Hono's per-request variables. */
  Variables: {
    /** The visitor's session, as `c.get('session')`. */
    session: Session<T>;
  };
}

/** The manager each request was loaded with, so a middleware mounted twice on one path loads once. */
const loadedWith = new WeakMap<Request, SessionManager<object>>();

function isManager<T extends object>(value: HonoSessionSettings | SessionManager<T>): value is SessionManager<T> {
  return typeof (value as Partial<SessionManager<T>>).load === 'function';
}

/**
 * Session middleware for Hono (any runtime Hono runs on that has `node:crypto`: Node, Bun, Deno).
 * Loads the session before the handlers (`c.get('session')`) and commits it, store write
 * included, after them, before the response leaves; a store failure answers 503 with
 * `Retry-After`. Pass options (a manager is made for you) or a manager from `createSessionManager`.
 *
 * @example
 * const app = new Hono();
 * app.use(session({ secrets: process.env.SESSION_SECRET! }));
 * app.post('/login', (c) => {
 *   c.get('session').regenerate();
 *   c.get('session').set('userId', 'ada');
 *   return c.redirect('/');
 * });
 */
export function session<T extends object = DefaultSessionData>(
  target: HonoSessionSettings | SessionManager<T>,
  options?: HonoSessionOptions,
): MiddlewareHandler<SessionEnv<T>> {
  const manager: SessionManager<T> = isManager(target) ? target : createSessionManager<T>(target);
  const settings: HonoSessionOptions = { ...(isManager(target) ? {} : target), ...options };
  sessionProtocol(manager);
  const report = settings.onError ?? ((error) => console.error(`tessera: ${error.code}: ${error.message}`));

  return async function tesseraSession(c, next) {
    const request = c.req.raw;
    if (loadedWith.get(request) === manager) {
      await next();
      return;
    }
    let loaded: LoadedSession<T>;
    try {
      loaded = await loadSession(manager, request, settings);
    } catch (error) {
      const failure = asSessionError(error, 'load');
      if (settings.onStoreError === 'throw') throw failure;
      try {
        report(failure, request);
      } catch {
        // A throwing onError must not leave the request without an answer.
      }
      return sessionErrorResponse(failure, request);
    }
    loadedWith.set(request, manager as SessionManager<object>);
    c.set('session', loaded.session);
    await next();
    const response = await loaded.commit(c.res);
    if (response !== c.res) {
      // Assigning c.res merges the old headers into the new response (and would drop our
      // Set-Cookie for the handler's): clear it first so the committed response goes as it is.
      c.res = undefined;
      c.res = response;
    }
  };
}

/**
 * The session the middleware loaded on this request, typed by `T`. Where the middleware is not
 * mounted before the route, it throws `ERR_SESSION_NOT_LOADED` naming the fix, where
 * `c.get('session').get` would be a `TypeError`.
 *
 * @example
 * app.get('/cart', (c) => c.json({ items: getSession<Cart>(c).get('items') ?? [] }));
 */
export function getSession<T extends object>(c: Context<SessionEnv<T>>): Session<T>;
export function getSession<T extends object = DefaultSessionData>(c: Context): Session<T>;
export function getSession<T extends object = DefaultSessionData>(c: Context): Session<T> {
  const loaded: unknown = c.get('session');
  if (!(loaded instanceof Session)) {
    throw new SessionError('ERR_SESSION_NOT_LOADED', "no session on this request: mount tessera's session() with app.use(...) before this route");
  }
  return loaded as Session<T>;
}

export type { FetchSessionOptions } from '../fetch/index.js';
export { sessionErrorResponse } from '../fetch/index.js';
