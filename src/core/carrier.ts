import type { Keyring } from './crypto/keyring.js';
import type { DbscAccess } from './dbsc/types.js';
import type { SessionEventType } from './events.js';
import type { ResolvedOptions } from './options.js';
import type { CommitPlan } from './policy.js';
import type { SessionFacts } from './session.js';
import type { ResponseHeader } from './transport.js';
import type { ClientInfo, SessionInfo } from './types.js';

/** One request's view of its session: the session's facts, the cookie exchange, and the carrier's own facts. */
export interface RequestState<C> {
  readonly facts: SessionFacts;
  /** The request's session cookie was unusable (forged, unknown, expired): clear it unless a new one is set. */
  clearCookie: boolean;
  /** The cookie verified under an older key: re-issue it with the current one. */
  reissue: boolean;
  /** Once the headers left: the ID the client holds a cookie for (undefined: none). */
  sentId: string | undefined;
  /** What the carrier (store mode or cookie mode) keeps for this request. */
  readonly carrier: C;
}

/** A plan carried out by a carrier: the token's response headers now, the I/O in `run`. */
export interface CarrierWork {
  readonly headers: ResponseHeader[];
  /** True when `run` has store work to do. */
  readonly pending: boolean;
  /** Performs the commit (the store work, if any); undefined when there is nothing to do. */
  readonly run: (() => Promise<void>) | undefined;
  /** Called when the response headers left (sealed mode: the cookie is the commit). */
  readonly sent?: () => void;
}

/** What the manager gives a carrier. */
export interface CarrierContext {
  readonly options: ResolvedOptions;
  readonly keyring: Keyring;
  emit(type: SessionEventType, id?: string, userId?: string): void;
}

/** Where a session's record goes: a store (store mode) or the cookie itself (cookie mode). */
export interface Carrier<C> {
  /** The record travels in the cookie. */
  readonly sealed: boolean;
  /** DBSC (store mode with the `dbsc` option): what the endpoints use. */
  readonly dbsc?: DbscAccess | undefined;
  /** DBSC: the headers offering registration to a session just logged in under `id`. */
  readonly registration?: ((id: string, now: number) => ResponseHeader[]) | undefined;
  /** The session the request header (Cookie, or the token header) names, or a fresh one; a promise when the carrier must wait for a store. */
  read(header: string | null | undefined, client: ClientInfo | undefined, now: number): RequestState<C> | Promise<RequestState<C>>;
  /** The data or persistence differ from the baseline (asked only when the session may have changed). */
  changed(state: RequestState<C>): boolean;
  /** The carrier's own reason to rewrite an unchanged record (sealed mode: record a revocation check). */
  due(state: RequestState<C>): boolean;
  /** Reached through a renewed ID's forward (store mode). */
  forwarded(state: RequestState<C>): boolean;
  /** The ID is old enough for a periodic renewal (store mode). */
  renewDue(state: RequestState<C>): boolean;
  /** Moves the session to its renewed ID (only when the plan says so). */
  renew(state: RequestState<C>, now: number): void;
  /** `streaming`: the headers leave now, ahead of the body and of this plan's store work. */
  persist(state: RequestState<C>, plan: CommitPlan, now: number, streaming: boolean): CarrierWork;
  listSessions(userId: string, current: RequestState<C> | undefined): Promise<SessionInfo[]>;
  revokeSession(userId: string, handle: string): Promise<boolean>;
  revokeSessions(userId: string, except: RequestState<C> | undefined): Promise<number>;
}

/** A plan with nothing to send and nothing to run: one shared value. */
export const NO_WORK: CarrierWork = Object.freeze({ headers: [], pending: false, run: undefined });

/** `next(value)` now when `value` is already there (a synchronous store), else once it arrives. */
export function thenMaybe<A, B>(value: A | Promise<A>, next: (a: A) => B | Promise<B>): B | Promise<B> {
  return value instanceof Promise ? value.then(next) : next(value);
}
