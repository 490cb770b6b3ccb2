// Request facts the middleware needs: the path it gates on, whether the request is secure, and
// the session ID from the signed cookie.
import { parseCookieHeader } from '../index.js';
import { deprecateOnce } from './deprecate.js';
import type { SessionRequest } from './session.js';
import { unsign } from './signature.js';
import type { SecretKey } from './signature.js';

/** The pathname of the original URL (Express's `req.originalUrl`, else `req.url`). */
export function originalPathname(req: SessionRequest): string {
  const url = typeof req.originalUrl === 'string' ? req.originalUrl : (req.url ?? '/');
  let end = url.length;
  const query = url.indexOf('?');
  if (query !== -1) end = query;
  const hash = url.indexOf('#');
  if (hash !== -1 && hash < end) end = hash;
  let path = url.slice(0, end);
  // An absolute-form request target ("http://host/path").
  if (!path.startsWith('/')) {
    const scheme = path.indexOf('://');
    if (scheme !== -1) {
      const slash = path.indexOf('/', scheme + 3);
      path = slash === -1 ? '/' : path.slice(slash);
    }
  }
  return path === '' ? '/' : path;
}

/**
 * Whether the request came over TLS: a TLS socket always counts; `proxy: true` trusts the first
 * `X-Forwarded-Proto` value; `proxy: false` trusts nothing else; unset defers to Express's
 * `req.secure` (its `trust proxy` setting).
 */
export function isSecure(req: SessionRequest, proxy: boolean | undefined): boolean {
  if ((req.socket as { encrypted?: boolean } | undefined)?.encrypted) return true;
  if (proxy === false) return false;
  if (proxy !== true) return req.secure === true;
  const header = req.headers['x-forwarded-proto'];
  const value = (Array.isArray(header) ? header[0] : header) ?? '';
  const comma = value.indexOf(',');
  const first = (comma === -1 ? value : value.slice(0, comma)).trim().toLowerCase();
  return first === 'https';
}

function stripQuotes(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

function unsignedValue(raw: unknown, secrets: readonly SecretKey[]): string | undefined {
  if (typeof raw !== 'string' || !raw.startsWith('s:')) return undefined;
  const value = unsign(raw.slice(2), secrets);
  return value === false ? undefined : value;
}

/**
 * The session ID the request carries: the `s:`-signed cookie `name` from the Cookie header
 * (unsigned or badly signed values are ignored), else, deprecated, cookie-parser's
 * `req.signedCookies` / `req.cookies`.
 */
export function sessionIdFromRequest(req: SessionRequest, name: string, secrets: readonly SecretKey[]): string | undefined {
  let id: string | undefined;
  const header = req.headers.cookie;
  if (typeof header === 'string') {
    const raw = parseCookieHeader(header)[name];
    if (raw !== undefined) id = unsignedValue(stripQuotes(raw), secrets);
  }
  if (!id && req.signedCookies) {
    const value = req.signedCookies[name];
    if (typeof value === 'string' && value) {
      id = value;
      deprecateOnce('cookie should be available in req.headers.cookie', 'TESSERA_ES_COOKIE_PARSER');
    }
  }
  if (!id && req.cookies) {
    const value = unsignedValue(req.cookies[name], secrets);
    if (value) {
      id = value;
      deprecateOnce('cookie should be available in req.headers.cookie', 'TESSERA_ES_COOKIE_PARSER');
    }
  }
  return id;
}
