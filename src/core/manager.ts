import { NO_WORK, thenMaybe } from './carrier.js';
import type { Carrier, CarrierContext, CarrierWork, RequestState } from './carrier.js';
import { clearSiteDataHeader } from './clear-site-data.js';
import { createCookieCarrier } from './cookie-mode/carrier.js';
import { createKeyring } from './crypto/keyring.js';
import { hashStoreKey } from './crypto/random.js';
import { registerDbsc } from './dbsc/capability.js';
import { SessionError, asSessionError } from './errors.js';
import type { CookieModeOptions, ManagerOptions } from './options.js';
import { resolveOptions, userIdOf } from './options.js';
import { planCommit } from './policy.js';
import type { CommitPlan } from './policy.js';
import { registerProtocol } from './protocol.js';
import type { PreparedCommit, SessionProtocol } from './protocol.js';
import { Session, carriedOf, settleFacts } from './session.js';
import type { SessionStore } from './store.js';
import { createStoreCarrier } from './store-mode/carrier.js';
import type { ResponseHeader } from './transport.js';
import type { ClientInfo, DefaultSessionData, SessionInfo } from './types.js';

/** What a commit asks the adapter to send. */
export interface CommitResult {
  /** Set-Cookie values; empty when the cookie does not change (and always with the header transport). */
  setCookie: string[];
  /** Every response header to send, lower-case names: append each `set-cookie`, set the others (`cache-control: no-store` whenever the token changes, the header transport's token header, `clear-site-data` after `destroy({ clearSiteData })`). */
  headers: Array<[name: string, value: string]>;
}

/** What applications call: load a session from a Cookie header, commit it, and manage a user's sessions. */
export interface SessionManager<T extends object = DefaultSessionData> {
  /** The name of the session cookie (`__Host-sid` by default). */
  readonly cookieName: string;
  /** Reads the session named by the Cookie header (or the header transport's header). Bad input gives a fresh session; a store failure rejects with `ERR_SESSION_STORE`. */
  load(cookieHeader: string | null | undefined, client?: ClientInfo): Promise<Session<T>>;
  /** Writes what changed and returns the headers to send. */
  commit(session: Session<T>): Promise<CommitResult>;
  /** Metadata of a user's live sessions (needs a store with a per-user index). */
  listSessions(userId: string, current?: Session<T>): Promise<SessionInfo[]>;
  /** Ends one of a user's sessions by the handle `listSessions` gave. Returns whether it existed. */
  revokeSession(userId: string, handle: string): Promise<boolean>;
  /**
   * Ends all of a user's sessions, optionally keeping one (the current). Returns how many ended.
   * An `except` read from the cookie cache is first checked in the store: if it has ended, nothing
   * is revoked and it throws `ERR_SESSION_NOT_LOADED`.
   */
  revokeSessions(userId: string, options?: { except?: Session<T> }): Promise<number>;
}

/** A prepared commit, with what `sent()` needs. */
interface Prepared extends PreparedCommit {
  readonly cookie: CommitPlan['cookie'];
  readonly onSent: (() => void) | undefined;
}

const NO_STORE: ResponseHeader = ['cache-control', 'no-store'];
/** The longest user agent a session records; a longer header is cut. */
const MAX_USER_AGENT = 512;
const NO_HEADERS: readonly ResponseHeader[] = Object.freeze([]);
const resolved = (): Promise<void> => Promise.resolve();
const NOTHING: Prepared = Object.freeze({ headers: NO_HEADERS, pending: false, run: resolved, cookie: 'none', onSent: undefined });

function isEmpty(data: object): boolean {
  for (const key in data) if (Object.hasOwn(data, key)) return false;
  return true;
}

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
  const { clock, onEvent } = options;
  const context: CarrierContext = {
    options,
    keyring: createKeyring(input.secrets),
    emit(type, id, userId) {
      if (onEvent === undefined) return;
      try {
        onEvent({ type, at: clock.now(), ...(id ? { idHash: hashStoreKey(id).slice(0, 16) } : {}), ...(userId === undefined ? {} : { userId }) });
      } catch {
        // A failing listener must not break the request.
      }
    },
  };
  const carrier = (
    options.mode === 'cookie' ? createCookieCarrier(context, input as CookieModeOptions) : createStoreCarrier(context, input as { store?: SessionStore })
  ) as Carrier<unknown>;

  const stateOf = (session: Session<T>): RequestState<unknown> => {
    const state = carriedOf(session as Session<object>) as RequestState<unknown> | undefined;
    if (state?.facts.rules !== options) throw new SessionError('ERR_SESSION_NOT_LOADED', 'this session was not loaded by this session manager');
    return state;
  };
  const sessionOf = (state: RequestState<unknown>): Session<T> => new Session<T>(state.facts, state);
  /** The client as recorded (`recordClient`): a user agent is kept to its first 512 characters, whatever the adapter passed. */
  const recorded = (client: ClientInfo | undefined): ClientInfo | undefined =>
    client?.userAgent !== undefined && client.userAgent.length > MAX_USER_AGENT ? { ...client, userAgent: client.userAgent.slice(0, MAX_USER_AGENT) } : client;

  const protocol: SessionProtocol<T> = {
    requestHeader: options.transport.requestHeader,
    load: (cookieHeader, client) => thenMaybe(carrier.read(cookieHeader, recorded(client), clock.now()), sessionOf),
    prepare(session, prepareOptions): Prepared {
      try {
        return prepareNow(session, prepareOptions?.streaming === true);
      } catch (error) {
        throw asSessionError(error, 'commit');
      }
    },
    sent(session, prepared) {
      const state = stateOf(session);
      const p = prepared as Prepared | undefined;
      p?.onSent?.();
      state.facts.cookieLocked = true;
      state.sentId = p?.cookie === 'set' ? state.facts.id : p?.cookie === 'clear' ? undefined : state.facts.baseline?.id;
    },
  };

  /** The commit decision: the facts into planCommit, the plan into the carrier. */
  function prepareNow(session: Session<T>, streaming: boolean): Prepared {
    const state = stateOf(session);
    const f = state.facts;
    const now = clock.now();
    const plan = planCommit(
      {
        status: f.status,
        id: f.id,
        loadedId: f.baseline?.id,
        empty: f.baseline === undefined && isEmpty(f.data),
        touched: f.touched,
        changed: f.baseline?.id === f.id && (f.status === 'modified' || f.exposed) && carrier.changed(state),
        lastSeenAt: f.lastSeenAt,
        persistent: f.persistent,
        loadedPersistent: f.baseline?.persistent,
        clearCookie: state.clearCookie,
        reissue: state.reissue,
        headersSent: f.cookieLocked,
        sentId: state.sentId,
        sealed: carrier.sealed,
        carrierDue: carrier.due(state),
        forwarded: carrier.forwarded(state),
        renewDue: carrier.renewDue(state),
        streaming,
      },
      options,
      now,
    );
    if (plan.renew) carrier.renew(state, now);
    // Nothing to write: what the calls did came to nothing (a value set to what it was, a session
    // destroyed before it was ever stored), so the session settles now.
    if (plan.write === 'none' && (f.status === 'modified' || f.status === 'destroyed')) settleFacts(f, f.baseline, f.lastSeenAt);
    // DBSC: a session that logs in (regenerated, with a user) is offered a device binding.
    const offer = carrier.registration !== undefined && f.status === 'regenerated' && plan.cookie === 'set' && userIdOf(options, f.data) !== undefined;
    const work: CarrierWork = carrier.persist(state, plan, now, streaming);
    let clearSite: ResponseHeader | undefined;
    if (f.clearSiteData !== undefined) {
      clearSite = clearSiteDataHeader(f.clearSiteData, plan.cookie === 'set' && options.transport.kind === 'cookie');
      f.clearSiteData = undefined; // sent once: a second prepare (after a streamed body) repeats nothing
    }
    if (work === NO_WORK) return clearSite === undefined ? NOTHING : { ...NOTHING, headers: [clearSite, NO_STORE] };
    const run = work.run;
    // A response that changes the token (or clears site data) must never be cached.
    let headers = work.headers;
    if (headers.length > 0 || clearSite !== undefined) {
      const all = offer ? [...headers, ...carrier.registration!(f.id, now)] : [...headers];
      if (clearSite !== undefined) all.push(clearSite);
      all.push(NO_STORE);
      headers = all;
    }
    return {
      headers,
      pending: work.pending,
      cookie: plan.cookie,
      onSent: work.sent,
      run: run === undefined ? resolved : () => run().catch((error: unknown) => Promise.reject(asSessionError(error, 'commit'))),
    };
  }

  const manager: SessionManager<T> = {
    cookieName: options.cookie.name,
    load(cookieHeader, client) {
      try {
        return Promise.resolve(protocol.load(cookieHeader, client));
      } catch (error) {
        return Promise.reject(asSessionError(error, 'load'));
      }
    },
    async commit(session) {
      const prepared = protocol.prepare(session);
      await prepared.run();
      const headers = prepared.headers.map(([name, value]): [string, string] => [name, value]);
      return { setCookie: headers.filter(([name]) => name === 'set-cookie').map(([, value]) => value), headers };
    },
    listSessions: async (userId, current) => carrier.listSessions(userId, current && stateOf(current)),
    revokeSession: (userId, handle) => carrier.revokeSession(userId, handle),
    revokeSessions: async (userId, revokeOptions) => carrier.revokeSessions(userId, revokeOptions?.except && stateOf(revokeOptions.except)),
  };
  registerProtocol(manager, protocol as unknown as SessionProtocol<object>);
  if (carrier.dbsc !== undefined) registerDbsc(manager, carrier.dbsc);
  return manager;
}
