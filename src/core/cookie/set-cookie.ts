import type { ResolvedCookieOptions } from './options.js';

/** Browsers cap cookie lifetimes at 400 days (RFC 6265bis §5.5). */
export const MAX_COOKIE_AGE_SECONDS = 400 * 24 * 60 * 60;

const SAME_SITE = { strict: 'Strict', lax: 'Lax', none: 'None' } as const;
const PRIORITY = { low: 'Low', medium: 'Medium', high: 'High' } as const;

/**
 * Builds one Set-Cookie value. `value` must already be cookie-safe (base64url and dots).
 * `maxAge` in seconds: undefined for a browser-session cookie, 0 to clear.
 */
export function serializeSetCookie(options: ResolvedCookieOptions, value: string, maxAge: number | undefined, nowAt: number): string {
  let header = `${options.name}=${value}; Path=${options.path}`;
  if (options.domain !== undefined) header += `; Domain=${options.domain}`;
  if (maxAge !== undefined) {
    const age = Math.max(0, Math.min(Math.floor(maxAge), MAX_COOKIE_AGE_SECONDS));
    const expires = age === 0 ? 'Thu, 01 Jan 1970 00:00:00 GMT' : new Date(nowAt + age * 1000).toUTCString();
    header += `; Max-Age=${age}; Expires=${expires}`;
  }
  if (options.httpOnly) header += '; HttpOnly';
  if (options.secure) header += '; Secure';
  header += `; SameSite=${SAME_SITE[options.sameSite]}`;
  if (options.partitioned) header += '; Partitioned';
  if (options.priority !== undefined) header += `; Priority=${PRIORITY[options.priority]}`;
  return header;
}

/** A Set-Cookie value that removes the cookie, repeating every attribute that scopes it. */
export function serializeClearCookie(options: ResolvedCookieOptions, nowAt: number): string {
  return serializeSetCookie(options, '', 0, nowAt);
}
