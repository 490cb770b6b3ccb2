import type { ParameterizedContext } from 'koa';
import type { DefaultSessionData, Session, SessionManager } from '../index.js';
import type { PreparedCommit, ResponseHeader, SessionProtocol } from '../adapter/index.js';
import { addEntry, commitNow, entryOfManager, nodeHeaderSink, requireEntry, writeSessionHeaders } from '../adapter/index.js';

/** One manager's session on one request. */
export interface Entry {
  readonly manager: SessionManager<object>;
  readonly protocol: SessionProtocol<object>;
  readonly session: Session<object>;
  /** The session headers `saveSession` already set, for an error response that must carry them again. */
  saved?: ResponseHeader[];
  /** The entries of further managers on the same request (the first manager's entry holds them). */
  others?: Entry[];
}

/** Koa's context, of any state and custom properties. */
export type AnyContext = ParameterizedContext<unknown, object, unknown>;

/** Each request's entry for its first manager; further managers' entries hang off that one. */
const loaded = new WeakMap<object, Entry>();

/** The entry of `manager` on this request (the first manager's when none is given). */
export function entryOf(ctx: object, manager: SessionManager<object> | undefined): Entry | undefined {
  return entryOfManager(loaded.get(ctx), manager);
}

/** Records `entry` on the request; the first manager's session becomes `ctx.session`. */
export function attachEntry(ctx: AnyContext, entry: Entry): void {
  const first = loaded.get(ctx);
  loaded.set(ctx, addEntry(first, entry));
  if (first === undefined) (ctx as { session?: unknown }).session = entry.session;
}

/** Applies a prepared commit's headers to the response: each Set-Cookie appended, the others set. */
export function applyHeaders(ctx: AnyContext, prepared: PreparedCommit): void {
  writeSessionHeaders(prepared.headers, nodeHeaderSink(ctx.res));
}

/**
 * The session of a request: `ctx.session` is the first manager's; with several managers
 * (different cookie names), pass the manager to reach its session.
 */
export function getSession<T extends object = DefaultSessionData>(ctx: object, manager?: SessionManager<T>): Session<T> {
  return requireEntry(entryOf(ctx, manager as SessionManager<object> | undefined)).session as Session<T>;
}

/**
 * Commits the session now and sets its headers on the response, before you write to `ctx.res`
 * yourself (`ctx.respond = false`, server-sent events) or to handle store errors in your own flow.
 * The end of the request then commits only what changed afterwards.
 */
export async function saveSession(ctx: object, manager?: SessionManager<object>): Promise<void> {
  const entry = requireEntry(entryOf(ctx, manager));
  const prepared = await commitNow(entry);
  const context = ctx as AnyContext;
  if (context.res.headersSent) return;
  applyHeaders(context, prepared);
  if (prepared.headers.length > 0) (entry.saved ??= []).push(...prepared.headers);
}
