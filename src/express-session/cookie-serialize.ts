// Set-Cookie serialisation as express-session users see it (it delegates to the `cookie` 0.7
// package): the same validation against the RFC 6265 grammar, in the same order, with the same
// TypeError messages, so nothing can inject an attribute. The attributes are then written by
// tessera's shared writer (`tessera-session/adapter`) in the `cookie` package's order: Max-Age, Domain,
// Path, Expires, HttpOnly, Secure, Partitioned, Priority, SameSite.
import { COOKIE_PACKAGE_ATTRIBUTE_ORDER, writeSetCookie } from '../adapter/index.js';
import type { SetCookieAttributes } from '../adapter/index.js';

/** Attributes of one Set-Cookie header; `Cookie#data` has this shape. */
export interface SerializeOptions {
  encode?: (value: string) => string;
  maxAge?: number | null;
  domain?: string | undefined;
  path?: string | undefined;
  expires?: Date | null | undefined;
  httpOnly?: boolean | undefined;
  secure?: boolean | 'auto' | undefined;
  partitioned?: boolean | undefined;
  priority?: string | undefined;
  sameSite?: boolean | string | undefined;
}

// token (RFC 7230 tchar)
const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// cookie-octet, optionally in double quotes (RFC 6265 §4.1.1)
const VALUE = /^("?)[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*\1$/;
// labels of letters, digits and inner hyphens, with an optional leading dot
const DOMAIN = /^\.?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
// any CHAR except CTLs and ';'
const PATH = /^[\x20-\x3A\x3D-\x7E]*$/;

/** `value` lower-cased when it is one of `allowed`, else undefined (never a property of Object.prototype). */
function oneOf<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  const lower = typeof value === 'string' ? value.toLowerCase() : undefined;
  return allowed.find((option) => option === lower);
}

/** One Set-Cookie header value; throws a TypeError (`option expires is invalid`, ...) on bad input. */
export function serializeCookie(name: string, value: string, options: SerializeOptions = {}): string {
  const encode = options.encode || encodeURIComponent;
  if (typeof encode !== 'function') throw new TypeError('option encode is invalid');
  if (!NAME.test(name)) throw new TypeError('argument name is invalid');
  const encoded = encode(value);
  if (!VALUE.test(encoded)) throw new TypeError('argument val is invalid');
  const attributes: SetCookieAttributes = { httpOnly: Boolean(options.httpOnly), secure: Boolean(options.secure), partitioned: Boolean(options.partitioned) };
  if (options.maxAge !== undefined && options.maxAge !== null) {
    attributes.maxAge = Math.floor(options.maxAge);
    if (!Number.isFinite(attributes.maxAge)) throw new TypeError('option maxAge is invalid');
  }
  if (options.domain) {
    if (!DOMAIN.test(options.domain)) throw new TypeError('option domain is invalid');
    attributes.domain = options.domain;
  }
  if (options.path) {
    if (!PATH.test(options.path)) throw new TypeError('option path is invalid');
    attributes.path = options.path;
  }
  if (options.expires) {
    const expires = options.expires as unknown;
    if (Object.prototype.toString.call(expires) !== '[object Date]' || Number.isNaN((expires as Date).valueOf())) throw new TypeError('option expires is invalid');
    attributes.expires = expires as Date;
  }
  if (options.priority) {
    attributes.priority = oneOf(options.priority, ['low', 'medium', 'high']);
    if (attributes.priority === undefined) throw new TypeError('option priority is invalid');
  }
  if (options.sameSite) {
    attributes.sameSite = options.sameSite === true ? 'strict' : oneOf(options.sameSite, ['strict', 'lax', 'none']);
    if (attributes.sameSite === undefined) throw new TypeError('option sameSite is invalid');
  }
  return writeSetCookie(name, encoded, attributes, COOKIE_PACKAGE_ATTRIBUTE_ORDER);
}
