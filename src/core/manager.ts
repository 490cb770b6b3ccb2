import { createBackendContext } from './backend.js';
import { createCookieBackend } from './cookie-mode.js';
import { createKeyring } from './crypto/keyring.js';
import type { CookieModeOptions, ManagerOptions, ResolvedOptions } from './options.js';
import { resolveOptions } from './options.js';
import type { Session } from './session.js';
import type { SessionStore } from './store.js';
import { createStoreBackend } from './store-mode.js';
import type { ClientInfo, DefaultSessionData } from './types.js';
import type { SessionInfo } from './store-mode/user-index.js';

/** Header values an adapter appends to the response. */
export interface CommitResult {
  /** Set-Cookie values; empty when the cookie does not change. */
  setCookie: string[];
}

/** How an adapter prepares a commit. */
export interface PrepareOptions {
  /** The headers leave now, ahead of a streamed body: the store write comes only at the end. */
  streaming?: boolean;
}

/** A commit decided but not yet performed: the cookie is known at once, the store I/O comes with `run()`. */
export interface PreparedCommit extends CommitResult {
  /** True when `run()` has store work to do. */
  readonly pending: boolean;
  /** The cookie change: the session ID it sets, null when it clears the cookie, undefined when none. */
  readonly cookieId: string | null | undefined;
  run(): Promise<void>;
}

/** The framework-agnostic engine that adapters call: load at the start of a request, commit at the end. */
export interface SessionManager<T extends object = DefaultSessionData> {
  /** `'store'`: a signed ID in the cookie, data in a store. `'cookie'`: the whole session sealed in the cookie. */
  readonly mode: 'store' | 'cookie';
  readonly cookieName: string;
  /**
   * The session store. In cookie mode: the `revocationStore`; reading it without one throws
   * `ERR_SESSION_UNSUPPORTED` (there is no session store).
   */
  readonly store: SessionStore;
  readonly options: ResolvedOptions;
  /** Reads the session named by the Cookie header. Bad input gives a fresh session; a store failure throws `ERR_SESSION_STORE`. */
  load(cookieHeader: string | null | undefined, client?: ClientInfo): Promise<Session<T>>;
  /**
   * `load` for adapters on the hot path: the session itself when the store reads synchronously
   * (memory, SQLite; cookie mode without a revocation check), else a promise. A store failure
   * throws `ERR_SESSION_STORE`, synchronously or by rejecting.
   */
  loadNow(cookieHeader: string | null | undefined, client?: ClientInfo): Session<T> | Promise<Session<T>>;
  /** Decides the cookie now (synchronously) and returns the store work to run before the response ends. */
  prepareCommit(session: Session<T>, options?: PrepareOptions): PreparedCommit;
  /** Prepares and runs a commit. */
  commit(session: Session<T>): Promise<CommitResult>;
  /** Metadata of a user's live sessions (needs a store with a per-user index). */
  listSessions(userId: string, current?: Session<T>): Promise<SessionInfo[]>;
  /** Ends one of a user's sessions by the handle `listSessions` gave. Returns whether it existed. */
  revokeSession(userId: string, handle: string): Promise<boolean>;
  /** Ends all of a user's sessions, optionally keeping one (the current). Returns how many ended. */
  revokeSessions(userId: string, options?: { except?: Session<T> }): Promise<number>;
  /** A short hash of a session ID for logs and events; never log the ID itself. */
  idHash(id: string): string;
  /**
   * Adapters call this when the response headers leave with `prepared.setCookie`: from then on,
   * a change that would need another cookie fails with `ERR_SESSION_HEADERS_SENT`.
   */
  markHeadersSent(session: Session<T>, prepared: PreparedCommit | undefined): void;
}

/** The part of a manager that differs between store mode and cookie mode. */
export type Backend<T extends object> = Pick<SessionManager<T>, 'store' | 'loadNow' | 'prepareCommit' | 'markHeadersSent' | 'listSessions' | 'revokeSession' | 'revokeSessions'>;

/**
 * Creates a session manager. Store mode by default; `mode: 'cookie'` keeps the whole session in
 * an encrypted cookie instead (no store). `req.session` has the same API in both.
 *
 * @example
 * const manager = createSessionManager({ secrets: process.env.SESSION_SECRET!, store: new MemoryStore() });
 * const sealed = createSessionManager({ mode: 'cookie', secrets: process.env.SESSION_SECRET! });
 */
export function createSessionManager<T extends object = DefaultSessionData>(input: ManagerOptions): SessionManager<T> {
  const options = resolveOptions(input);
  const keyring = createKeyring(input.secrets);
  const context = createBackendContext(options, keyring);
  const backend: Backend<T> =
    options.mode === 'cookie' ? createCookieBackend<T>(context, input as CookieModeOptions) : createStoreBackend<T>(context, input as { store?: SessionStore });
  const { prepareCommit, loadNow } = backend;

  function load(cookieHeader: string | null | undefined, client?: ClientInfo): Promise<Session<T>> {
    try {
      return Promise.resolve(loadNow(cookieHeader, client));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  async function commit(session: Session<T>): Promise<CommitResult> {
    const prepared = prepareCommit(session);
    await prepared.run();
    return { setCookie: prepared.setCookie };
  }

  return {
    mode: options.mode,
    cookieName: options.cookie.name,
    get store() {
      return backend.store;
    },
    options,
    load,
    loadNow,
    prepareCommit,
    commit,
    idHash: context.idHash,
    markHeadersSent: backend.markHeadersSent,
    listSessions: backend.listSessions,
    revokeSession: backend.revokeSession,
    revokeSessions: backend.revokeSessions,
  };
}
