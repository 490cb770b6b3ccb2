// The `tessera-session/fetch` entry: sessions for anything that speaks the Fetch API (a Request in,
// a Response out): Next.js route handlers, Bun.serve, Deno.serve, Hono (see tessera-session/hono).
import type { ClientInfo, DefaultSessionData, ManagerOptions, Session, SessionError, SessionManager } from '../index.js';
import { createSessionManager } from '../index.js';
import { asSessionError, sessionProtocol } from '../adapter/index.js';
import type { SessionProtocol } from '../adapter/index.js';
import { failureInPlaceOf, sessionErrorResponse, withSessionHeaders } from './response.js';

export { sessionErrorResponse } from './response.js';

/** What the Fetch adapter adds to the manager's options. */
export interface FetchSessionOptions {
  /**
   * Record the client of new and regenerated (logged-in) sessions, for `listSessions`: `true` records the `User-Agent`; a
   * function returns what to record (the IP is not on a `Request`: take it from your runtime,
   * e.g. Bun's `server.requestIP(request)`). Default false.
   */
  recordClient?: boolean | ((request: Request) => ClientInfo);
  /** Every failure to commit (the response then is a 503 or 500), and, in `withSession`, to load. Default: `console.error` with the code and the message (never a session ID). */
  onError?: (error: SessionError, request: Request) => void;
}

/** Options of `withSession` when it makes the manager: the manager's options (either mode) plus `FetchSessionOptions`. */
export type FetchSessionSettings = ManagerOptions & FetchSessionOptions;

/** A loaded session and the call that commits it onto the response. */
export interface LoadedSession<T extends object = DefaultSessionData> {
  /** The visitor's session. Change it before calling `commit`; later changes are not saved. */
  readonly session: Session<T>;
  /**
   * Saves the session (the store write happens here, before the response goes out) and returns
   * `response` with the session's headers: `Set-Cookie` (or the header transport's token),
   * `Cache-Control: no-store` when the token changes, and `Vary`. A Response with immutable
   * headers comes back as a copy. When the store fails it resolves to a 503 with `Retry-After`
   * (500 for other failures) instead, reported to `onError`; it never rejects for those.
   */
  commit(response: Response): Promise<Response>;
}

function defaultOnError(error: SessionError): void {
  console.error(`tessera: ${error.code}: ${error.message}`);
}

/** Calls `onError` (or the default) and never lets it throw. */
function report(options: FetchSessionOptions, error: SessionError, request: Request): void {
  try {
    (options.onError ?? defaultOnError)(error, request);
  } catch {
    // A throwing onError must not leave the request without an answer.
  }
}

function clientOf(request: Request, record: FetchSessionOptions['recordClient']): ClientInfo | undefined {
  if (record === undefined || record === false) return undefined;
  if (typeof record === 'function') return record(request);
  const userAgent = request.headers.get('user-agent');
  return userAgent === null ? {} : { userAgent };
}

async function commitResponse<T extends object>(
  protocol: SessionProtocol<T>,
  session: Session<T>,
  request: Request,
  response: Response,
  options: FetchSessionOptions,
): Promise<Response> {
  let prepared;
  try {
    prepared = protocol.prepare(session);
    if (prepared.pending) await prepared.run();
  } catch (error) {
    const failure = asSessionError(error, 'commit');
    report(options, failure, request);
    // The handler's body never goes out: let its producer stop.
    response.body?.cancel().catch(() => undefined);
    return failureInPlaceOf(failure, response, protocol.requestHeader, request);
  }
  const out = withSessionHeaders(response, prepared.headers, protocol.requestHeader);
  protocol.sent(session, prepared);
  return out;
}

/**
 * Loads the session a `Request` names (its `Cookie`, or the header transport's header). Change
 * `session`, build your Response, and return `commit(response)`. Rejects with a `SessionError`
 * when the store fails (`ERR_SESSION_STORE`): answer it with `sessionErrorResponse(error)`, a 503
 * with `Retry-After`; never go on with an anonymous session.
 *
 * @example
 * let loaded;
 * try {
 *   loaded = await loadSession(manager, request);
 * } catch (error) {
 *   return sessionErrorResponse(error, request);
 * }
 * loaded.session.set('visits', (loaded.session.get('visits') ?? 0) + 1);
 * return loaded.commit(Response.json({ ok: true }));
 */
export async function loadSession<T extends object = DefaultSessionData>(
  manager: SessionManager<T>,
  request: Request,
  options: FetchSessionOptions = {},
): Promise<LoadedSession<T>> {
  const protocol = sessionProtocol<T>(manager);
  let session: Session<T>;
  try {
    session = await protocol.load(request.headers.get(protocol.requestHeader), clientOf(request, options.recordClient));
  } catch (error) {
    throw asSessionError(error, 'load');
  }
  return { session, commit: (response) => commitResponse(protocol, session, request, response, options) };
}

/** A Fetch handler that gets the visitor's session; extra arguments (Next's context, Bun's server, Deno's info) pass through. */
export type SessionHandler<T extends object, A extends unknown[]> = (request: Request, session: Session<T>, ...rest: A) => Response | Promise<Response>;

function isManager<T extends object>(value: FetchSessionSettings | SessionManager<T>): value is SessionManager<T> {
  return typeof (value as Partial<SessionManager<T>>).load === 'function';
}

/**
 * Wraps a Fetch handler: the session is loaded before it runs and committed (store write
 * included) before the Response is returned. A store failure while loading answers 503 with
 * `Retry-After` without calling the handler; one while committing replaces the handler's
 * Response with that 503. A handler that throws commits nothing and its error goes on.
 * Pass options (a manager is made for you) or a manager from `createSessionManager`.
 *
 * @example
 * const manager = createSessionManager({ secrets: process.env.SESSION_SECRET! });
 * export const GET = withSession(manager, (request, session) => Response.json({ user: session.get('userId') ?? null }));
 * Bun.serve({ fetch: withSession(manager, handler) });
 */
export function withSession<T extends object = DefaultSessionData, A extends unknown[] = []>(
  target: FetchSessionSettings | SessionManager<T>,
  handler: SessionHandler<T, A>,
  options?: FetchSessionOptions,
): (request: Request, ...rest: A) => Promise<Response> {
  const manager: SessionManager<T> = isManager(target) ? target : createSessionManager<T>(target);
  const settings: FetchSessionOptions = { ...(isManager(target) ? {} : target), ...options };
  // Fails at once (not per request) when `manager` was not made by createSessionManager.
  sessionProtocol(manager);
  return async function tesseraSession(request: Request, ...rest: A): Promise<Response> {
    let loaded: LoadedSession<T>;
    try {
      loaded = await loadSession(manager, request, settings);
    } catch (error) {
      const failure = asSessionError(error, 'load');
      report(settings, failure, request);
      return sessionErrorResponse(failure, request);
    }
    return loaded.commit(await handler(request, loaded.session, ...rest));
  };
}
