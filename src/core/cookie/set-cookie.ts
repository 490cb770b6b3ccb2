import { writeSetCookie } from '../shared/set-cookie-writer.js';
import type { ResolvedCookieOptions } from './options.js';

/** Browsers cap cookie lifetimes at 400 days (RFC 6265bis §5.5). */
export const MAX_COOKIE_AGE_SECONDS = 400 * 24 * 60 * 60;

const EPOCH = new Date(0);

/**
 * Builds one Set-Cookie value. `value` must already be cookie-safe (base64url and dots).
 * `maxAge` in seconds: undefined for a browser-session cookie, 0 to clear.
 */
export function serializeSetCookie(options: ResolvedCookieOptions, value: string, maxAge: number | undefined, nowAt: number): string {
  const age = maxAge === undefined ? undefined : Math.max(0, Math.min(Math.floor(maxAge), MAX_COOKIE_AGE_SECONDS));
  return writeSetCookie(options.name, value, {
    ...options,
    maxAge: age,
    expires: age === undefined ? undefined : age === 0 ? EPOCH : new Date(nowAt + age * 1000),
  });
}

/** A Set-Cookie value that removes the cookie, repeating every attribute that scopes it. */
export function serializeClearCookie(options: ResolvedCookieOptions, nowAt: number): string {
  return serializeSetCookie(options, '', 0, nowAt);
}
