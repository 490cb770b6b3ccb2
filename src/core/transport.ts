import { findCookieValues } from './cookie/header.js';
import type { ResolvedCookieOptions } from './cookie/options.js';
import { serializeClearCookie, serializeSetCookie } from './cookie/set-cookie.js';
import { SessionError } from './errors.js';

/**
 * Carry the session token in a header instead of a cookie, for API and mobile clients. The
 * request sends it as `Authorization: Bearer <token>` (the default) or in the named header; the
 * response carries a new token in `response` (default `Session-Token`) whenever it changes, and
 * an empty value when the client must drop it. No cookie is set.
 */
export interface HeaderTransportOptions {
  /** The request header: `authorization` (Bearer scheme, the default) or another header name. */
  request?: string;
  /** The response header carrying a new token. Default `Session-Token`. */
  response?: string;
}

/** One response header an adapter sends: append every `set-cookie`, set the others. Names are lower case. */
export type ResponseHeader = readonly [name: string, value: string];

/** How the session token travels between client and server. */
export interface Transport {
  readonly kind: 'cookie' | 'header';
  /** The request header an adapter passes to `load`, lower case: `cookie` or the token header. */
  readonly requestHeader: string;
  /** The tokens the request presents for the session named `name` (a cookie may come more than once). */
  values(header: string | null | undefined, name: string): string[];
  /** The response header that gives the client `value` under `cookie.name`; `maxAge` in seconds, undefined for a browser-session cookie. */
  set(cookie: ResolvedCookieOptions, value: string, maxAge: number | undefined, nowAt: number): ResponseHeader;
  /** The response header that makes the client drop the token. */
  clear(cookie: ResolvedCookieOptions, nowAt: number): ResponseHeader;
}

const COOKIE_TRANSPORT: Transport = Object.freeze<Transport>({
  kind: 'cookie',
  requestHeader: 'cookie',
  values: findCookieValues,
  set: (cookie, value, maxAge, nowAt) => ['set-cookie', serializeSetCookie(cookie, value, maxAge, nowAt)] as const,
  clear: (cookie, nowAt) => ['set-cookie', serializeClearCookie(cookie, nowAt)] as const,
});

/** An HTTP field name (RFC 9110 token). */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A token as tessera issues it: base64url and dots, nothing else. */
const TOKEN = /^[A-Za-z0-9_.-]{1,16384}$/;
/** `Bearer <token>`: the scheme is case-insensitive, one or more spaces, surrounding space ignored. */
const BEARER = /^[ \t]*bearer +([^ \t]+)[ \t]*$/i;

/** The token of a request header value, or none. Never throws. */
export function readTokenHeader(value: string | null | undefined, bearer: boolean): string[] {
  if (typeof value !== 'string' || value.length > 16_400) return [];
  const token = bearer ? BEARER.exec(value)?.[1] : value.trim();
  return token !== undefined && TOKEN.test(token) ? [token] : [];
}

function headerName(option: string, value: unknown, fallback: string): string {
  const name = value ?? fallback;
  if (typeof name !== 'string' || !FIELD_NAME.test(name) || ['cookie', 'set-cookie'].includes(name.toLowerCase())) {
    throw new SessionError('ERR_SESSION_CONFIG', `transport.${option} must be a header name other than Cookie and Set-Cookie; got ${JSON.stringify(name)}`);
  }
  return name.toLowerCase();
}

/** The transport the options choose: cookies by default, or `{ header }` options. */
export function resolveTransport(input: 'cookie' | { header: HeaderTransportOptions } | undefined): Transport {
  if (input === undefined || input === 'cookie') return COOKIE_TRANSPORT;
  if (typeof input !== 'object' || input === null || typeof input.header !== 'object' || input.header === null) {
    throw new SessionError('ERR_SESSION_CONFIG', "transport must be 'cookie' or { header: { request?, response? } }");
  }
  const requestHeader = headerName('header.request', input.header.request, 'authorization');
  const responseHeader = headerName('header.response', input.header.response, 'session-token');
  const bearer = requestHeader === 'authorization';
  return Object.freeze({
    kind: 'header',
    requestHeader,
    values: (header: string | null | undefined) => readTokenHeader(header, bearer),
    set: (_cookie: ResolvedCookieOptions, value: string) => [responseHeader, value] as const,
    clear: () => [responseHeader, ''] as const,
  });
}
