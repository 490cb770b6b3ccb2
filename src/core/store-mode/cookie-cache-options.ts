import type { CookieOptions, ResolvedCookieOptions } from '../cookie/options.js';
import { resolveCookieOptions } from '../cookie/options.js';
import { SessionError } from '../errors.js';
import type { Transport } from '../transport.js';

/** The cookie cache of store mode (`cookieCache`). */
export interface CookieCacheOptions {
  /** Seconds a cached copy is trusted without reading the store: the staleness window. From 1 to 3 600. */
  maxAge: number;
  /** The cache cookie's name. Default: the session cookie's name + `-cache` (`__Host-sid-cache`). Its other attributes are the session cookie's. */
  name?: string;
  /**
   * Asked on every cache hit of a session with a user (`userKey`): return false to read the store
   * instead (say, the user was revoked after `cachedAt`, epoch ms). Revocations made through this
   * manager (`revokeSessions`, `revokeSession`, `destroy()`) are honoured at once in this process
   * without it; use it to honour those of other processes.
   */
  revalidate?: (userId: string, cachedAt: number) => boolean | Promise<boolean>;
}

/** The cookie cache options as the core uses them. */
export interface ResolvedCookieCache {
  readonly cookie: ResolvedCookieOptions;
  readonly maxAgeMs: number;
  readonly revalidate: CookieCacheOptions['revalidate'];
}

const configError = (message: string): SessionError => new SessionError('ERR_SESSION_CONFIG', message);

/** Validates `cookieCache` (store mode, cookie transport only); undefined when it is off. */
export function resolveCookieCache(input: unknown, cookieInput: CookieOptions | undefined, cookie: ResolvedCookieOptions, transport: Transport): ResolvedCookieCache | undefined {
  if (input === undefined) return undefined;
  const given = input as Partial<CookieCacheOptions> | null;
  if (typeof given !== 'object' || given === null) throw configError('cookieCache must be { maxAge: seconds, name?, revalidate? }');
  if (transport.kind !== 'cookie') throw configError('cookieCache needs the cookie transport: with the header transport there is no second cookie to carry the cache');
  const maxAge = given.maxAge;
  if (typeof maxAge !== 'number' || !Number.isFinite(maxAge) || maxAge < 1 || maxAge > 3600) {
    throw configError(`cookieCache.maxAge must be a number of seconds from 1 to 3600 (it is how long a revoked session may still be read); got ${String(maxAge)}`);
  }
  if (given.revalidate !== undefined && typeof given.revalidate !== 'function') throw configError('cookieCache.revalidate must be a function (userId, cachedAt) => boolean');
  const name = given.name ?? `${cookie.name}-cache`;
  if (typeof name !== 'string' || name === cookie.name) throw configError('cookieCache.name must be a cookie name other than the session cookie\'s');
  return Object.freeze({ cookie: resolveCookieOptions({ ...cookieInput, name }), maxAgeMs: maxAge * 1000, revalidate: given.revalidate });
}

