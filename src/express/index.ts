import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientInfo, DefaultSessionData, ManagerOptions, Session, SessionError, SessionManager } from '../index.js';
import { createSessionManager } from '../index.js';
import { FAILURE_REMOVES, addEntry, asSessionError, commitNow, entryOfManager, failureAnswer, nodeRequestHeader, requireEntry, sessionProtocol, varyWith } from '../adapter/index.js';
import { EndHook, applyCookieHeaders } from './end-hook.js';
import type { EndHookHandlers } from './end-hook.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The visitor's session, loaded by tessera's `session()` middleware. */
      session: Session<DefaultSessionData>;
    }
  }
}

/** What the Express / node:http middleware adds to the manager's options: how failures are answered. */
export interface MiddlewareOptions {
  /**
   * A store failure while loading: `'respond'` (default) answers 503 with `Retry-After`;
   * `'next'` passes the `SessionError` to `next(err)` for your error handler.
   */
  onStoreError?: 'respond' | 'next';
  /** Record the user agent and IP of new and regenerated (logged-in) sessions, for `listSessions`. Default false. */
  recordClient?: boolean;
  /** Failures after the response headers left, and every commit failure. Default: `console.error` with the code and the message (a store error's message includes the driver's, never a session ID). */
  onError?: (error: SessionError, req: IncomingMessage) => void;
}

/** Options of the Express / node:http middleware: the manager's options (either mode) plus `MiddlewareOptions`. */
export type ExpressSessionOptions = ManagerOptions & MiddlewareOptions;

/** The `next` callback of a middleware: an error, or nothing to go on. */
export type NextFunction = (error?: unknown) => void;
/** What `session()` returns: Express middleware, also callable on a plain `node:http` request. */
export type SessionMiddleware = (req: IncomingMessage, res: ServerResponse, next?: NextFunction) => void;

/** Each request's end hook for its first manager, on the request itself; further managers' hooks hang off that one. */
const HOOK = Symbol('tessera.endHook');
type WithSession = IncomingMessage & { session?: unknown; [HOOK]?: EndHook };

/** The end hook of `manager` on this request (the first manager's when none is given). */
function hookOf(req: IncomingMessage, manager: SessionManager<object> | undefined): EndHook | undefined {
  // A symbol property, not a WeakMap: no identity hash and ephemeron entry per request (callgrind: ~0.5 k instructions fewer, and less GC).
  return entryOfManager((req as WithSession)[HOOK], manager);
}

/** Adds the request header that carries the session (`Cookie`, or the header transport's) to `Vary`. */
function addVary(res: ServerResponse, header: string): void {
  const vary = varyWith(res.getHeader('Vary'), header);
  if (vary !== undefined) res.setHeader('Vary', vary);
}

function clientOf(req: IncomingMessage): ClientInfo {
  const client: ClientInfo = {};
  const ua = req.headers['user-agent'];
  if (typeof ua === 'string') client.userAgent = ua;
  // Express computes req.ip from its `trust proxy` setting; plain node:http has only the socket.
  const ip = (req as IncomingMessage & { ip?: string }).ip ?? req.socket.remoteAddress;
  if (typeof ip === 'string') client.ip = ip;
  return client;
}

function defaultOnError(error: SessionError): void {
  console.error(`tessera: ${error.code}: ${error.message}`);
}

function respondUnavailable(res: ServerResponse, error: unknown, end: () => void): void {
  const answer = failureAnswer(error, res.req?.headers.accept);
  for (const name of FAILURE_REMOVES) res.removeHeader(name);
  res.statusCode = answer.status;
  for (const [name, value] of answer.headers) res.setHeader(name, value);
  res.setHeader('content-length', Buffer.byteLength(answer.body));
  res.write(answer.body);
  end();
}

/**
 * Session middleware for Express and plain `node:http`. Pass options (a manager is made for you),
 * or a manager you built with `createSessionManager` plus, optionally, `MiddlewareOptions`.
 *
 * @example
 * app.use(session({ secrets: process.env.SESSION_SECRET!, store: new SqliteStore(db) }));
 * app.get('/', (req, res) => { req.session.update('views', (n = 0) => n + 1); res.send('hi'); });
 */
export function session<T extends object = DefaultSessionData>(options: ExpressSessionOptions | SessionManager<T>, middlewareOptions?: MiddlewareOptions): SessionMiddleware {
  const isManager = typeof (options as SessionManager<T>).load === 'function';
  const manager = (isManager ? options : createSessionManager<T>(options as ExpressSessionOptions)) as SessionManager<object>;
  const protocol = sessionProtocol<object>(manager);
  const settings: MiddlewareOptions = { ...(isManager ? {} : (options as MiddlewareOptions)), ...middlewareOptions };
  const onStoreError = settings.onStoreError ?? 'respond';
  const recordClient = settings.recordClient ?? false;
  const report = settings.onError ?? defaultOnError;

  const safeReport = (error: unknown, req: IncomingMessage): void => {
    try {
      report(asSessionError(error, 'commit'), req);
    } catch {
      // A throwing onError must not leave the response hanging.
    }
  };
  const handlers: EndHookHandlers = {
    onCommitError: (error, hook) => safeReport(error, hook.req),
    respondFailure: (error, hook, end) => {
      safeReport(error, hook.req);
      respondUnavailable(hook.res, error, end);
    },
  };

  const attach = (req: IncomingMessage, res: ServerResponse, current: Session<object>, next: NextFunction): void => {
    const hook = new EndHook(req, res, manager, protocol, current, handlers);
    const first = (req as WithSession)[HOOK];
    (req as WithSession)[HOOK] = addEntry(first, hook);
    // With several managers, `req.session` is the first one's; reach the others with getSession(req, manager).
    if (first === undefined) (req as WithSession).session = current;
    addVary(res, protocol.requestHeader);
    next();
  };

  const loadFailed = (req: IncomingMessage, res: ServerResponse, error: unknown, next: NextFunction): void => {
    const sessionError = asSessionError(error, 'load');
    if (onStoreError === 'next') {
      next(sessionError);
      return;
    }
    safeReport(sessionError, req);
    respondUnavailable(res, sessionError, () => res.end());
  };

  return function tesseraSession(req, res, next = () => {}) {
    if (hookOf(req, manager) !== undefined) {
      next();
      return;
    }
    let loading: Session<object> | Promise<Session<object>>;
    try {
      loading = protocol.load(nodeRequestHeader(req, protocol.requestHeader), recordClient ? clientOf(req) : undefined);
    } catch (error) {
      loadFailed(req, res, error, next);
      return;
    }
    // The store caller turns a store's thenables into native promises; any thenable is awaited all the same.
    if (typeof (loading as Partial<PromiseLike<unknown>>).then === 'function') {
      (loading as PromiseLike<Session<object>>).then(
        (current) => attach(req, res, current, next),
        (error: unknown) => loadFailed(req, res, error, next),
      );
    } else {
      attach(req, res, loading as Session<object>, next);
    }
  };
}

/** The session of a request, for plain `node:http` handlers (Express users have `req.session`). */
export function getSession<T extends object = DefaultSessionData>(req: IncomingMessage, manager?: SessionManager<T>): Session<T> {
  return requireEntry(hookOf(req, manager as SessionManager<object> | undefined)).session as Session<T>;
}

/**
 * Commits the session now and sets its cookie, before a streamed response or to handle store
 * errors in your own flow. The end of the response then commits only what changed afterwards.
 */
export async function saveSession(req: IncomingMessage, manager?: SessionManager<object>): Promise<void> {
  const entry = requireEntry(hookOf(req, manager));
  const prepared = await commitNow(entry);
  if (!entry.res.headersSent) applyCookieHeaders(entry.res, prepared);
}

export type { SessionInfo } from '../index.js';
