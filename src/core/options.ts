import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import type { CookieOptions, ResolvedCookieOptions } from './cookie/options.js';
import { resolveCookieOptions } from './cookie/options.js';
import type { KeyringInput } from './crypto/keyring.js';
import { SessionError } from './errors.js';
import type { SessionEventListener } from './events.js';
import type { SessionStore } from './store.js';

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
}

/** Store mode (the default): the cookie holds a signed session ID, the data lives in a store. */
export interface SessionManagerOptions extends CommonSessionOptions {
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
   * Renew the session ID after this many seconds of its life (a periodic rotation; the login call
   * is still `regenerate()`). Off by default.
   */
  renewAfter?: number;
  /** After a renewal the old ID keeps working for this many seconds, for requests already in flight. Default 10. */
  renewGrace?: number;
}

/** Store mode options under their explicit name. */
export type StoreModeOptions = SessionManagerOptions;

/**
 * Sealed-cookie mode: the whole session lives in the cookie, encrypted (AES-256-GCM) with a key
 * derived from `secrets`. No session store; see docs/sealed-mode.md for the trade-offs.
 */
export interface CookieModeOptions extends CommonSessionOptions {
  mode: 'cookie';
  /** Not used in cookie mode: the session is in the cookie. For revocation, see `revocationStore`. */
  store?: never;
  hashStoreKeys?: never;
  maxRecordBytes?: never;
  maxCommitRetries?: never;
  renewAfter?: never;
  renewGrace?: never;
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

export interface ResolvedOptions {
  readonly mode: 'store' | 'cookie';
  readonly cookie: ResolvedCookieOptions;
  readonly lifetimeMs: number;
  readonly idleMs: number;
  readonly touchAfterMs: number;
  readonly persistent: boolean;
  readonly userKey: string;
  readonly hashStoreKeys: boolean;
  readonly maxRecordBytes: number;
  readonly storeTimeoutMs: number;
  readonly maxCommitRetries: number;
  /** Store mode: rotate the ID after this long (0: never). */
  readonly renewAfterMs: number;
  /** Store mode: how long a renewed ID's old one keeps working. */
  readonly renewGraceMs: number;
  readonly clock: Clock;
  readonly onEvent: SessionEventListener | undefined;
  /** Cookie mode: the size limit of all session cookies together, in bytes. */
  readonly maxCookieBytes: number;
  /** Cookie mode: how often a session is checked against the revocation store. */
  readonly revocationCheckAfterMs: number;
}

/** The defaults, in one place. */
export const DEFAULTS = Object.freeze({
  lifetime: 12 * 60 * 60,
  idleTimeout: 30 * 60,
  persistent: false,
  userKey: 'userId',
  hashStoreKeys: true,
  maxRecordBytes: 256 * 1024,
  storeTimeout: 1,
  maxCommitRetries: 20,
  renewGrace: 10,
  maxCookieBytes: 8192,
  revocationCheckAfter: 60,
});

/** The largest `maxCookieBytes`: more would not fit in common request-header limits. */
export const MAX_COOKIE_BYTES_LIMIT = 32 * 1024;

function seconds(name: string, value: unknown, { allowInfinity = false, allowZero = false } = {}): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (value === 0 && !allowZero) || (!allowInfinity && !Number.isFinite(value))) {
    throw new SessionError('ERR_SESSION_CONFIG', `${name} must be a positive number of seconds${allowInfinity ? ' or Infinity' : ''}; got ${String(value)}`);
  }
  return value;
}

/** Validates options and applies defaults. Never mutates the input. */
export function resolveOptions(input: ManagerOptions): ResolvedOptions {
  if (typeof input !== 'object' || input === null) {
    throw new SessionError('ERR_SESSION_CONFIG', 'createSessionManager needs an options object with at least { secrets }');
  }
  const mode = input.mode ?? 'store';
  if (mode !== 'store' && mode !== 'cookie') {
    throw new SessionError('ERR_SESSION_CONFIG', `mode must be 'store' or 'cookie'; got ${JSON.stringify(mode)}`);
  }
  const cookieMode = resolveCookieMode(input, mode);
  if (input.lifetime === Infinity && (input.idleTimeout ?? DEFAULTS.idleTimeout) === Infinity) {
    throw new SessionError('ERR_SESSION_CONFIG', 'every session must expire: lifetime and idleTimeout cannot both be Infinity');
  }
  const lifetime = seconds('lifetime', input.lifetime ?? DEFAULTS.lifetime);
  const idle = seconds('idleTimeout', input.idleTimeout ?? DEFAULTS.idleTimeout, { allowInfinity: true });
  const touchAfter = seconds('touchAfter', input.touchAfter ?? Math.min(60, Number.isFinite(idle) ? idle / 4 : 60), { allowZero: true });
  if (Number.isFinite(idle) && touchAfter >= idle) {
    throw new SessionError('ERR_SESSION_CONFIG', `touchAfter (${touchAfter}s) must be shorter than idleTimeout (${idle}s), or sessions expire while in use`);
  }
  const maxRecordBytes = input.maxRecordBytes ?? DEFAULTS.maxRecordBytes;
  if (!Number.isInteger(maxRecordBytes) || maxRecordBytes < 1024) {
    throw new SessionError('ERR_SESSION_CONFIG', `maxRecordBytes must be an integer of at least 1024; got ${String(maxRecordBytes)}`);
  }
  const retries = input.maxCommitRetries ?? DEFAULTS.maxCommitRetries;
  if (!Number.isInteger(retries) || retries < 0 || retries > 100) {
    throw new SessionError('ERR_SESSION_CONFIG', `maxCommitRetries must be an integer from 0 to 100; got ${String(retries)}`);
  }
  const renewAfter = input.renewAfter === undefined ? 0 : seconds('renewAfter', input.renewAfter);
  const renewGrace = seconds('renewGrace', input.renewGrace ?? DEFAULTS.renewGrace, { allowZero: true });
  if (renewAfter > 0 && renewGrace >= renewAfter) {
    throw new SessionError('ERR_SESSION_CONFIG', `renewGrace (${renewGrace}s) must be shorter than renewAfter (${renewAfter}s)`);
  }
  const userKey = input.userKey ?? DEFAULTS.userKey;
  if (typeof userKey !== 'string' || userKey === '') throw new SessionError('ERR_SESSION_CONFIG', 'userKey must be a non-empty string');
  return Object.freeze({
    cookie: resolveCookieOptions(input.cookie),
    lifetimeMs: lifetime * 1000,
    idleMs: idle * 1000,
    touchAfterMs: touchAfter * 1000,
    persistent: input.persistent ?? DEFAULTS.persistent,
    userKey,
    hashStoreKeys: input.hashStoreKeys ?? DEFAULTS.hashStoreKeys,
    maxRecordBytes,
    storeTimeoutMs: seconds('storeTimeout', input.storeTimeout ?? DEFAULTS.storeTimeout, { allowZero: true }) * 1000,
    maxCommitRetries: retries,
    renewAfterMs: renewAfter * 1000,
    renewGraceMs: renewGrace * 1000,
    clock: input.clock ?? systemClock,
    onEvent: input.onEvent,
    ...cookieMode,
  });
}

/** Cookie-mode settings; in store mode, cookie-mode-only options are refused so a typo is not silently ignored. */
function resolveCookieMode(input: ManagerOptions, mode: 'store' | 'cookie'): { mode: 'store' | 'cookie'; maxCookieBytes: number; revocationCheckAfterMs: number } {
  const loose = input as unknown as Partial<Record<string, unknown>>;
  if (mode === 'store') {
    for (const name of ['maxCookieBytes', 'revocationStore', 'revocationCheckAfter']) {
      if (loose[name] !== undefined) throw new SessionError('ERR_SESSION_CONFIG', `${name} applies to mode: 'cookie' only`);
    }
    return { mode, maxCookieBytes: DEFAULTS.maxCookieBytes, revocationCheckAfterMs: DEFAULTS.revocationCheckAfter * 1000 };
  }
  for (const name of ['store', 'hashStoreKeys', 'maxRecordBytes', 'maxCommitRetries', 'renewAfter', 'renewGrace']) {
    if (loose[name] !== undefined) {
      throw new SessionError('ERR_SESSION_CONFIG', `${name} is not used in mode: 'cookie' (the session lives in the cookie)${name === 'store' ? '; for revocation pass revocationStore' : ''}`);
    }
  }
  const maxCookieBytes = loose.maxCookieBytes ?? DEFAULTS.maxCookieBytes;
  if (typeof maxCookieBytes !== 'number' || !Number.isInteger(maxCookieBytes) || maxCookieBytes < 1024 || maxCookieBytes > MAX_COOKIE_BYTES_LIMIT) {
    throw new SessionError('ERR_SESSION_CONFIG', `maxCookieBytes must be an integer from 1024 to ${MAX_COOKIE_BYTES_LIMIT}; got ${String(maxCookieBytes)}`);
  }
  const store = loose.revocationStore;
  if (store !== undefined && (typeof store !== 'object' || store === null || typeof (store as SessionStore).get !== 'function' || typeof (store as SessionStore).set !== 'function')) {
    throw new SessionError('ERR_SESSION_CONFIG', 'revocationStore must be a tessera SessionStore (get/set/delete)');
  }
  const checkAfter = seconds('revocationCheckAfter', loose.revocationCheckAfter ?? DEFAULTS.revocationCheckAfter, { allowZero: true });
  return { mode, maxCookieBytes, revocationCheckAfterMs: checkAfter * 1000 };
}
