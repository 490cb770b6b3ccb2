import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import type { CookieOptions, ResolvedCookieOptions } from './cookie/options.js';
import { resolveCookieOptions } from './cookie/options.js';
import { SessionError } from './errors.js';
import { refuseForeignOptions } from './foreign-options.js';
import type { SessionEventListener } from './events.js';
import type { DbscOptions, ResolvedDbsc } from './dbsc/options.js';
import { resolveDbsc } from './dbsc/options.js';
import type { ExpiryRules } from './policy.js';
import type { CookieCacheOptions, ResolvedCookieCache } from './store-mode/cookie-cache-options.js';
import { resolveCookieCache } from './store-mode/cookie-cache-options.js';
import type { SessionStore } from './store.js';
import { resolveEncryptAtRest } from './store-mode/encrypt-at-rest.js';
import type { EncryptAtRest } from './store-mode/encrypt-at-rest.js';
import type { HeaderTransportOptions, Transport } from './transport.js';
import { resolveTransport } from './transport.js';
import type { KeyringInput } from './types.js';

/** Options both modes share. Durations are in seconds. */
export interface CommonSessionOptions {
  /** One secret of at least 32 bytes, or an array: the first signs (or seals), all verify (rotation). Required. */
  secrets: KeyringInput;
  /** Cookie attributes. Defaults: `__Host-sid`, HttpOnly, Secure, SameSite=Lax, Path=/, no Domain. */
  cookie?: CookieOptions;
  /** Absolute lifetime in seconds. Default 43 200 (12 h). */
  lifetime?: number;
  /** Inactivity timeout in seconds. Default 1 800 (30 min). `Infinity` turns it off. */
  idleTimeout?: number;
  /** Refresh the idle deadline at most once per this many seconds. Default min(60, idleTimeout / 4). */
  touchAfter?: number;
  /** Remember-me default for new sessions: a cookie with Max-Age. Default false (browser-session cookie). */
  persistent?: boolean;
  /** The data key holding the user ID (per-user index in store mode, revocation in cookie mode). Default `userId`. */
  userKey?: string;
  /** Each store call fails with `ERR_SESSION_STORE` after this many seconds. Default 1; 0 turns it off. */
  storeTimeout?: number;
  /** Time source. Default the system clock. */
  clock?: Clock;
  /** Lifecycle and security events (hashed IDs only). */
  onEvent?: SessionEventListener;
  /** Where the session token travels: `'cookie'` (default), or `{ header: {} }` for API clients (see `HeaderTransportOptions`). */
  transport?:
    | 'cookie'
    | {
        /** The token travels in request and response headers instead of a cookie. */
        header: HeaderTransportOptions;
      };
}

/** Store mode (the default): the cookie holds a signed session ID, the data lives in a store. */
export interface SessionManagerOptions extends CommonSessionOptions {
  /** `'store'`, the default: the data lives in `store`. */
  mode?: 'store';
  /** Where records live. Default: a new `MemoryStore` (one process only; use a real store in production). */
  store?: SessionStore;
  /** Store records under SHA-256 of the ID instead of the ID. Default true. */
  hashStoreKeys?: boolean;
  /** Largest encoded record in bytes; a larger commit fails with `ERR_SESSION_TOO_LARGE`. Default 262 144. */
  maxRecordBytes?: number;
  /** Compare-and-set retries on conflicting writes before `ERR_SESSION_CONFLICT`. Default 20 (with jittered backoff, about a second at most). */
  maxCommitRetries?: number;
  /**
   * At most this many sessions per user (ASVS 7.1.2): when a login (a commit that makes a session
   * a user's) goes over it, the user's least recently used other sessions (by `lastSeenAt`) end,
   * as with `revokeSession`, with an `evicted` event each. Needs a store with a per-user index.
   * Off by default (no limit).
   */
  maxSessionsPerUser?: number;
  /**
   * Renew the session ID after this many seconds of its life (a periodic rotation; the login call
   * is still `regenerate()`). Off by default.
   */
  renewAfter?: number;
  /** After a renewal the old ID keeps working for this many seconds, for requests already in flight. Default 10. */
  renewGrace?: number;
  /**
   * Opt-in cookie cache (docs/cookie-cache.md): a sealed copy of the record in a second cookie,
   * read without a store round trip for `maxAge` seconds. Revocation and logout elsewhere then take
   * effect within `maxAge` at most (at once with `revalidate`). Needs a store with `setIf` and the
   * cookie transport.
   */
  cookieCache?: CookieCacheOptions;
  /** Device Bound Session Credentials: bind logged-in sessions to a key the browser keeps on the device (see docs/device-bound-sessions.md). Off by default. */
  dbsc?: DbscOptions;
  /**
   * Encrypt every value tessera writes to the store (AES-256, authenticated, bound to its store
   * key) and index records by an HMAC of the user ID: a dump of the store shows no session data
   * and no user ID. `true` refuses records written in plain before; `'migrate'` still reads them
   * and encrypts each at its next write (docs/stores.md, "Encryption at rest"). Default false.
   */
  encryptAtRest?: boolean | 'migrate';
  /** Cookie mode only (`mode: 'cookie'`): refused in store mode. */
  maxCookieBytes?: never;
  /** Cookie mode only: refused in store mode, where `revokeSessions` uses the store's per-user index. */
  revocationStore?: never;
  /** Cookie mode only: refused in store mode. */
  revocationCheckAfter?: never;
}

/** Store mode options under their explicit name. */
export type StoreModeOptions = SessionManagerOptions;

/**
 * Sealed-cookie mode: the whole session lives in the cookie, encrypted (AES-256-GCM) with a key
 * derived from `secrets`. No session store; see docs/sealed-mode.md for the trade-offs.
 */
export interface CookieModeOptions extends CommonSessionOptions {
  /** `'cookie'`: the whole session is sealed into the cookie. */
  mode: 'cookie';
  /** Not used in cookie mode: the session is in the cookie. For revocation, see `revocationStore`. */
  store?: never;
  /** Store mode only: refused in cookie mode. */
  hashStoreKeys?: never;
  /** Store mode only (see `maxCookieBytes`): refused in cookie mode. */
  maxRecordBytes?: never;
  /** Store mode only: refused in cookie mode. */
  maxCommitRetries?: never;
  /** Store mode only: refused in cookie mode (a sealed session is in no index). */
  maxSessionsPerUser?: never;
  /** Store mode only: refused in cookie mode. */
  renewAfter?: never;
  /** Store mode only: refused in cookie mode. */
  renewGrace?: never;
  /** Store mode only: refused in cookie mode (the session is in the cookie already). */
  cookieCache?: never;
  /** Store mode only: refused in cookie mode (single-use challenges need server state; see docs/device-bound-sessions.md). */
  dbsc?: never;
  /** Store mode only: refused in cookie mode (the sealed cookie is encrypted already). */
  encryptAtRest?: never;
  /**
   * Largest total size of the session cookies (name + value of every chunk, in bytes). Over 4 096
   * bytes the session is split into chunk cookies `name.0`, `name.1`, ...; over this limit a
   * commit fails with `ERR_SESSION_COOKIE_TOO_LARGE`. Default 8 192; at most 32 768.
   */
  maxCookieBytes?: number;
  /**
   * Any tessera store, used only for revocation: a per-user "not before" time (`revokeSessions`)
   * and destroyed session IDs. Without it a copied cookie stays valid until it expires.
   */
  revocationStore?: SessionStore;
  /** Check the revocation store at most once per this many seconds per session. Default 60; 0 checks every request. */
  revocationCheckAfter?: number;
}

/** The options `createSessionManager` takes: store mode (default) or cookie mode, told apart by `mode`. */
export type ManagerOptions = SessionManagerOptions | CookieModeOptions;

/** The options as the core uses them: defaults applied, durations in milliseconds. */
export interface ResolvedOptions extends ExpiryRules {
  readonly mode: 'store' | 'cookie';
  readonly cookie: ResolvedCookieOptions;
  readonly transport: Transport;
  readonly persistent: boolean;
  readonly userKey: string;
  readonly hashStoreKeys: boolean;
  readonly maxRecordBytes: number;
  readonly storeTimeoutMs: number;
  readonly maxCommitRetries: number;
  /** Undefined: no limit. */
  readonly maxSessionsPerUser: number | undefined;
  /** 0: no renewal. */
  readonly renewAfterMs: number;
  readonly renewGraceMs: number;
  /** The cookie cache (store mode), or undefined when off. */
  readonly cookieCache: ResolvedCookieCache | undefined;
  readonly maxCookieBytes: number;
  readonly revocationCheckAfterMs: number;
  readonly clock: Clock;
  readonly onEvent: SessionEventListener | undefined;
  /** Device Bound Session Credentials, when on. */
  readonly dbsc: ResolvedDbsc | undefined;
  readonly encryptAtRest: EncryptAtRest;
}

/** The defaults, in one place. */
export const DEFAULTS = Object.freeze({
  /** Absolute lifetime: 12 hours, in seconds. */
  lifetime: 12 * 60 * 60,
  /** Inactivity timeout: 30 minutes, in seconds. */
  idleTimeout: 30 * 60,
  /** New sessions end with the browser unless `setPersistent(true)`. */
  persistent: false,
  /** The data key holding the user ID. */
  userKey: 'userId',
  /** Records are stored under SHA-256 of the ID. */
  hashStoreKeys: true,
  /** Largest encoded record: 256 KiB. */
  maxRecordBytes: 256 * 1024,
  /** Seconds before a store call fails. */
  storeTimeout: 1,
  /** Compare-and-set retries before `ERR_SESSION_CONFLICT`. */
  maxCommitRetries: 20,
  /** Seconds the old ID works after a renewal. */
  renewGrace: 10,
  /** Largest total size of the sealed cookies, in bytes. */
  maxCookieBytes: 8192,
  /** Seconds between revocation checks of a sealed session. */
  revocationCheckAfter: 60,
});

/** The largest `maxCookieBytes`: more would not fit in common request-header limits. */
const MAX_COOKIE_BYTES_LIMIT = 32 * 1024;
/** Options of one mode only: given in the other mode they are refused, so a typo is not silently ignored. */
const STORE_ONLY = ['store', 'hashStoreKeys', 'maxRecordBytes', 'maxCommitRetries', 'maxSessionsPerUser', 'renewAfter', 'renewGrace', 'cookieCache', 'encryptAtRest'];
const COOKIE_ONLY = ['maxCookieBytes', 'revocationStore', 'revocationCheckAfter'];

const configError = (message: string): SessionError => new SessionError('ERR_SESSION_CONFIG', message);

/** A duration in seconds, as milliseconds. */
function ms(name: string, value: unknown, { infinity = false, zero = false } = {}): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (value === 0 && !zero) || (!infinity && !Number.isFinite(value))) {
    throw configError(`${name} must be a positive number of seconds${infinity ? ' or Infinity' : ''}; got ${String(value)}`);
  }
  return value * 1000;
}

function integer(name: string, value: number, min: number, max = Infinity): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw configError(`${name} must be an integer ${max === Infinity ? `of at least ${min}` : `from ${min} to ${max}`}; got ${String(value)}`);
  }
  return value;
}

/** Validates options and applies defaults. Never mutates the input. */
export function resolveOptions(input: ManagerOptions): ResolvedOptions {
  if (typeof input !== 'object' || input === null) throw configError('createSessionManager needs an options object with at least { secrets }');
  const mode = input.mode ?? 'store';
  if (mode !== 'store' && mode !== 'cookie') throw configError(`mode must be 'store' or 'cookie'; got ${JSON.stringify(mode)}`);
  const loose = input as unknown as Partial<Record<string, unknown>>;
  refuseForeignOptions(loose);
  const other = mode === 'store' ? COOKIE_ONLY : STORE_ONLY;
  const misplaced = other.find((name) => loose[name] !== undefined);
  if (misplaced !== undefined) {
    throw configError(
      mode === 'store'
        ? `${misplaced} applies to mode: 'cookie' only`
        : `${misplaced} is not used in mode: 'cookie' (the session lives in the cookie)${misplaced === 'store' ? '; for revocation pass revocationStore' : ''}`,
    );
  }
  const store = loose.revocationStore as SessionStore | undefined;
  if (store !== undefined && (typeof store !== 'object' || store === null || typeof store.get !== 'function' || typeof store.set !== 'function')) {
    throw configError('revocationStore must be a tessera SessionStore (get/set/delete)');
  }
  if (store === undefined && loose.revocationCheckAfter !== undefined) throw configError('revocationCheckAfter has no effect without a revocationStore: pass one, or leave it out');
  if (input.lifetime === Infinity && (input.idleTimeout ?? DEFAULTS.idleTimeout) === Infinity) {
    throw configError('every session must expire: lifetime and idleTimeout cannot both be Infinity');
  }
  const lifetimeMs = ms('lifetime', input.lifetime ?? DEFAULTS.lifetime);
  const idleMs = ms('idleTimeout', input.idleTimeout ?? DEFAULTS.idleTimeout, { infinity: true });
  const touchAfterMs = ms('touchAfter', input.touchAfter ?? Math.min(60, Number.isFinite(idleMs) ? idleMs / 4000 : 60), { zero: true });
  if (touchAfterMs >= idleMs) {
    throw configError(`touchAfter (${touchAfterMs / 1000}s) must be shorter than idleTimeout (${idleMs / 1000}s), or sessions expire while in use`);
  }
  const renewAfterMs = input.renewAfter === undefined ? 0 : ms('renewAfter', input.renewAfter);
  const renewGraceMs = ms('renewGrace', input.renewGrace ?? DEFAULTS.renewGrace, { zero: true });
  if (renewAfterMs > 0 && renewGraceMs >= renewAfterMs) throw configError(`renewGrace (${renewGraceMs / 1000}s) must be shorter than renewAfter (${renewAfterMs / 1000}s)`);
  if (renewAfterMs >= lifetimeMs) throw configError(`renewAfter (${renewAfterMs / 1000}s) must be shorter than lifetime (${lifetimeMs / 1000}s), or no session lives to be renewed`);
  const transport = resolveTransport(input.transport);
  const dbsc = resolveDbsc(loose.dbsc as DbscOptions | undefined, { mode, transport: transport.kind, cookie: input.cookie });
  const userKey = input.userKey ?? DEFAULTS.userKey;
  if (typeof userKey !== 'string' || userKey === '') throw configError('userKey must be a non-empty string');
  const cookie = resolveCookieOptions(input.cookie);
  return Object.freeze({
    mode,
    cookie,
    transport,
    lifetimeMs,
    idleMs,
    touchAfterMs,
    persistent: input.persistent ?? DEFAULTS.persistent,
    userKey,
    hashStoreKeys: input.hashStoreKeys ?? DEFAULTS.hashStoreKeys,
    maxRecordBytes: integer('maxRecordBytes', input.maxRecordBytes ?? DEFAULTS.maxRecordBytes, 1024),
    storeTimeoutMs: ms('storeTimeout', input.storeTimeout ?? DEFAULTS.storeTimeout, { zero: true }),
    maxCommitRetries: integer('maxCommitRetries', input.maxCommitRetries ?? DEFAULTS.maxCommitRetries, 0, 100),
    maxSessionsPerUser: input.maxSessionsPerUser === undefined ? undefined : integer('maxSessionsPerUser', input.maxSessionsPerUser, 1),
    renewAfterMs,
    renewGraceMs,
    cookieCache: resolveCookieCache(loose.cookieCache, input.cookie, cookie, transport),
    maxCookieBytes: integer('maxCookieBytes', (loose.maxCookieBytes as number | undefined) ?? DEFAULTS.maxCookieBytes, 1024, MAX_COOKIE_BYTES_LIMIT),
    revocationCheckAfterMs: ms('revocationCheckAfter', loose.revocationCheckAfter ?? DEFAULTS.revocationCheckAfter, { zero: true }),
    clock: input.clock ?? systemClock,
    onEvent: input.onEvent,
    dbsc,
    encryptAtRest: resolveEncryptAtRest(loose.encryptAtRest),
  });
}

/** The user ID a session's data names under `userKey` (per-user index, revocation), as a string. */
export function userIdOf(options: Pick<ResolvedOptions, 'userKey'>, data: Record<string, unknown>): string | undefined {
  const value = data[options.userKey];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}
