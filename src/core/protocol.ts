import { SessionError } from './errors.js';
import type { Session } from './session.js';
import type { ResponseHeader } from './transport.js';
import type { ClientInfo, DefaultSessionData } from './types.js';

/** A commit decided but not yet performed: its response headers are known at once, the store I/O comes with `run()`. */
export interface PreparedCommit {
  /**
   * Response headers to send, in order: append each `set-cookie`, set the others (`cache-control`,
   * the header transport's token header, `clear-site-data`). Empty when the session's token does
   * not change and no `Clear-Site-Data` was asked for. Apply
   * them after `run()`: the cookie cache's Set-Cookie gets its value there (until then it clears the cache).
   */
  readonly headers: readonly ResponseHeader[];
  /** True when `run()` has store work to do. */
  readonly pending: boolean;
  /** Performs the commit. Rejects with a `SessionError` (`ERR_SESSION_STORE` for a store failure). */
  run(): Promise<void>;
}

/**
 * What an adapter calls, per request: `load` at the start, `prepare` + `run` at the end (or
 * `prepare` when the headers leave early, ahead of a streamed body), and `sent` when the headers
 * left. See docs/writing-an-adapter.md.
 */
export interface SessionProtocol<T extends object> {
  /** The request header that carries the session, lower case: `cookie`, or the header transport's. Pass its value to `load`; responses vary on it. */
  readonly requestHeader: string;
  /** The session the request header names: at once when nothing has to be awaited (memory or SQLite store, sealed mode), else a promise. Bad input gives a fresh session; a store failure throws `ERR_SESSION_STORE`. */
  load(header: string | null | undefined, client?: ClientInfo): Session<T> | Promise<Session<T>>;
  /** Decides the commit now: its headers, and the store work `run()` performs. `streaming`: the headers leave now and the write comes at the end. */
  prepare(session: Session<T>, options?: { streaming?: boolean }): PreparedCommit;
  /** The response headers left, carrying `prepared.headers` (undefined: no session headers). Changes that need another cookie fail with `ERR_SESSION_HEADERS_SENT` from then on. */
  sent(session: Session<T>, prepared: PreparedCommit | undefined): void;
}

const protocols = new WeakMap<object, SessionProtocol<object>>();

/** @internal Called by `createSessionManager`. */
export function registerProtocol(manager: object, protocol: SessionProtocol<object>): void {
  protocols.set(manager, protocol);
}

/**
 * The adapter protocol of a manager made by `createSessionManager`. `T` is the data type of the
 * manager's sessions: by default your `SessionData` (see the README's typing section); pass the
 * type a manager was made with (`createSessionManager<MyData>`) as `sessionProtocol<MyData>(manager)`.
 */
export function sessionProtocol<T extends object = DefaultSessionData>(manager: { readonly cookieName: string }): SessionProtocol<T> {
  const protocol = protocols.get(manager);
  if (protocol === undefined) throw new SessionError('ERR_SESSION_CONFIG', 'not a tessera session manager: create it with createSessionManager()');
  return protocol as unknown as SessionProtocol<T>;
}
