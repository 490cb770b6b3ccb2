import type { Context, Middleware, Next } from 'koa';
import type { ClientInfo, DefaultSessionData, ManagerOptions, Session, SessionManager } from '../index.js';
import { SessionError, createSessionManager } from '../index.js';
import type { PreparedCommit } from '../adapter/index.js';
import { asSessionError, nodeRequestHeader, sessionProtocol } from '../adapter/index.js';
import type { AnyContext, Entry } from './entries.js';
import { applyHeaders, attachEntry, entryOf } from './entries.js';
import { asHttpError, carryHeaders, respondFailure } from './failure.js';

declare module 'koa' {
  interface ExtendableContext {
    /** The visitor's session, loaded by tessera's `session()` middleware. */
    session: Session<DefaultSessionData>;
  }
}

/** What the Koa middleware adds to the manager's options: how failures are answered. */
export interface MiddlewareOptions {
  /**
   * A store failure while loading or committing: `'respond'` (default) answers 503 with
   * `Retry-After` itself; `'throw'` throws the `SessionError`, with `status` 503 (500 when it is
   * not the store's), `expose: false` and `headers` (`Retry-After`), for your error handling.
   */
  onStoreError?: 'respond' | 'throw';
  /** Record the user agent and IP (`ctx.ip`, which follows `app.proxy`) of new and regenerated (logged-in) sessions, for `listSessions`. Default false. */
  recordClient?: boolean;
  /** Every commit failure, and load failures answered with `'respond'`. Default: `console.error` with the code and the message (a store error's message includes the driver's, never a session ID). */
  onError?: (error: SessionError, ctx: Context) => void;
}

/** Options of the Koa middleware: the manager's options (either mode) plus `MiddlewareOptions`. */
export type KoaSessionOptions = ManagerOptions & MiddlewareOptions;

function defaultOnError(error: SessionError): void {
  console.error(`tessera: ${error.code}: ${error.message}`);
}

function clientOf(ctx: AnyContext): ClientInfo {
  const client: ClientInfo = { ip: ctx.ip };
  const ua = ctx.get('user-agent');
  if (ua !== '') client.userAgent = ua;
  return client;
}

/** A body Koa sends after the middleware returned, while the handler's code may still run (and change the session). */
function isStreamed(body: unknown): boolean {
  if (body === null || typeof body !== 'object') return false;
  const b = body as { pipe?: unknown; getReader?: unknown };
  return typeof b.pipe === 'function' || typeof b.getReader === 'function' || body instanceof Response;
}

/** Passes an error to the app's 'error' listeners the way Koa does (a non-Error wrapped in one). */
function emitError(ctx: AnyContext, error: unknown): void {
  const native = error instanceof Error || Object.prototype.toString.call(error) === '[object Error]';
  try {
    ctx.app.emit('error', native ? error : new Error(`non-error thrown: ${String(error)}`), ctx);
  } catch {
    // A throwing listener must not break the response.
  }
}

const isThenable = (value: unknown): value is PromiseLike<unknown> => typeof (value as Partial<PromiseLike<unknown>>).then === 'function';

/**
 * Session middleware for Koa 2 and Koa 3: `ctx.session` for every later middleware, committed
 * after they all returned and before Koa writes the response. Pass options (a manager is made for
 * you), or a manager you built with `createSessionManager` plus, optionally, `MiddlewareOptions`.
 *
 * @example
 * app.use(session({ secrets: process.env.SESSION_SECRET!, store: new SqliteStore(db) }));
 * app.use((ctx) => { ctx.body = `views: ${ctx.session.update('views', (n = 0) => n + 1)}`; });
 */
export function session<T extends object = DefaultSessionData>(options: KoaSessionOptions | SessionManager<T>, middlewareOptions?: MiddlewareOptions): Middleware {
  const isManager = typeof (options as SessionManager<T>).load === 'function';
  const manager = (isManager ? options : createSessionManager<T>(options as KoaSessionOptions)) as SessionManager<object>;
  const protocol = sessionProtocol<object>(manager);
  const settings: MiddlewareOptions = { ...(isManager ? {} : (options as MiddlewareOptions)), ...middlewareOptions };
  const throwing = settings.onStoreError === 'throw';
  const recordClient = settings.recordClient ?? false;
  const report = settings.onError ?? defaultOnError;
  const vary = protocol.requestHeader === 'cookie' ? 'Cookie' : protocol.requestHeader;

  const safeReport = (error: unknown, ctx: AnyContext): void => {
    try {
      report(asSessionError(error, 'commit'), ctx as unknown as Context);
    } catch {
      // A throwing onError must not break the response.
    }
  };

  /** A failed load or commit, before the headers left: 503 (or 500), or the error thrown for the app. */
  const failed = (ctx: AnyContext, error: SessionError, phase: 'load' | 'commit', downstream?: { error: unknown }): void => {
    // The handler's own error, replaced by this answer, still reaches the app's 'error' listeners (logging).
    if (downstream !== undefined) emitError(ctx, downstream.error);
    // Commit failures are always reported; a load failure thrown is the app's to log.
    if (!throwing || phase === 'commit') safeReport(error, ctx);
    if (throwing) throw asHttpError(error);
    respondFailure(ctx, error);
  };

  /** Changes made after the commit (while a body streams, or by code that wrote `ctx.res`): data only, reported on failure. */
  const commitLate = (ctx: AnyContext, entry: Entry): void => {
    try {
      const prepared = entry.protocol.prepare(entry.session);
      if (prepared.pending) prepared.run().catch((error: unknown) => safeReport(error, ctx));
    } catch (error) {
      safeReport(error, ctx);
    }
  };

  const commit = async (ctx: AnyContext, entry: Entry, downstream: { error: unknown } | undefined): Promise<void> => {
    const { session: current } = entry;
    // `ctx.respond = false` and the handler already wrote the headers: no cookie can go any more.
    if (ctx.res.headersSent) {
      protocol.sent(current, undefined);
      commitLate(ctx, entry);
      if (downstream !== undefined) throw downstream.error;
      return;
    }
    let prepared: PreparedCommit;
    try {
      prepared = protocol.prepare(current);
      if (prepared.pending) await prepared.run();
    } catch (error) {
      failed(ctx, asSessionError(error, 'commit'), 'commit', downstream);
      return;
    }
    if (ctx.res.headersSent) {
      // Written while the store worked (`ctx.respond = false`): the write is done, its cookie is lost.
      if (prepared.headers.length > 0) safeReport(new SessionError('ERR_SESSION_HEADERS_SENT', 'the response headers left while the session was committed, without its cookie; await saveSession(ctx) before writing ctx.res'), ctx);
      protocol.sent(current, undefined);
    } else {
      applyHeaders(ctx, prepared);
      protocol.sent(current, prepared);
    }
    if (downstream !== undefined) {
      carryHeaders(downstream.error, entry.saved === undefined ? prepared.headers : [...entry.saved, ...prepared.headers]);
      throw downstream.error;
    }
    if (ctx.respond === false || isStreamed(ctx.body)) ctx.res.once('close', () => commitLate(ctx, entry));
  };

  const run = async (ctx: AnyContext, next: Next, current: Session<object>): Promise<void> => {
    const entry: Entry = { manager, protocol, session: current };
    attachEntry(ctx, entry);
    ctx.vary(vary);
    let downstream: { error: unknown } | undefined;
    try {
      await next();
    } catch (error) {
      downstream = { error };
    }
    await commit(ctx, entry, downstream);
  };

  return function tesseraSession(ctx: AnyContext, next: Next): Promise<void> {
    if (entryOf(ctx, manager) !== undefined) return next().then(() => undefined);
    let loading: Session<object> | PromiseLike<Session<object>>;
    try {
      loading = protocol.load(nodeRequestHeader(ctx.req, protocol.requestHeader), recordClient ? clientOf(ctx) : undefined);
    } catch (error) {
      return Promise.resolve().then(() => failed(ctx, asSessionError(error, 'load'), 'load'));
    }
    if (!isThenable(loading)) return run(ctx, next, loading);
    return Promise.resolve(loading).then(
      (current) => run(ctx, next, current),
      (error: unknown) => failed(ctx, asSessionError(error, 'load'), 'load'),
    );
  } as Middleware;
}

export { getSession, saveSession } from './entries.js';
export type { SessionInfo } from '../index.js';
