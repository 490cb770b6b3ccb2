import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import type { CookieOptions, ResolvedCookieOptions } from './cookie-options.js';
import { resolveCookieOptions } from './cookie-options.js';
import type { KeyringInput } from './crypto/keyring.js';
import { SessionError } from './errors.js';
import type { SessionEventListener } from './events.js';
import type { SessionStore } from './store.js';

/** Options of `createSessionManager`. Durations are in seconds. */
export interface SessionManagerOptions {
  /** One secret of at least 32 bytes, or an array: the first signs, all verify (rotation). Required. */
  secrets: KeyringInput;
  /** Where records live. Default: a new `MemoryStore` (one process only; use a real store in production). */
  store?: SessionStore;
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
  /** The data key holding the user ID, which feeds the store's per-user index. Default `userId`. */
  userKey?: string;
  /** Store records under SHA-256 of the ID instead of the ID. Default true. */
  hashStoreKeys?: boolean;
  /** Largest encoded record in bytes; a larger commit fails with `ERR_SESSION_TOO_LARGE`. Default 262 144. */
  maxRecordBytes?: number;
  /** Each store call fails with `ERR_SESSION_STORE` after this many seconds. Default 1; 0 turns it off. */
  storeTimeout?: number;
  /** Compare-and-set retries on conflicting writes before `ERR_SESSION_CONFLICT`. Default 8. */
  maxCommitRetries?: number;
  /** Time source. Default the system clock. */
  clock?: Clock;
  /** Lifecycle and security events (hashed IDs only). */
  onEvent?: SessionEventListener;
}

export interface ResolvedOptions {
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
  readonly clock: Clock;
  readonly onEvent: SessionEventListener | undefined;
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
  maxCommitRetries: 8,
});

function seconds(name: string, value: unknown, { allowInfinity = false, allowZero = false } = {}): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (value === 0 && !allowZero) || (!allowInfinity && !Number.isFinite(value))) {
    throw new SessionError('ERR_SESSION_CONFIG', `${name} must be a positive number of seconds${allowInfinity ? ' or Infinity' : ''}; got ${String(value)}`);
  }
  return value;
}

/** Validates options and applies defaults. Never mutates the input. */
export function resolveOptions(input: SessionManagerOptions): ResolvedOptions {
  if (typeof input !== 'object' || input === null) {
    throw new SessionError('ERR_SESSION_CONFIG', 'createSessionManager needs an options object with at least { secrets }');
  }
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
    clock: input.clock ?? systemClock,
    onEvent: input.onEvent,
  });
}
