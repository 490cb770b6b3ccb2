// Set-Cookie serialisation with the attribute order and error messages express-session users see
// (it delegates to the `cookie` 0.7 package): Domain, Path, Expires, HttpOnly, Secure,
// Partitioned, Priority, SameSite. Names, values, domains and paths are validated against the
// RFC 6265 grammar, so nothing can inject an attribute.

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

const PRIORITIES: Record<string, string> = { low: 'Low', medium: 'Medium', high: 'High' };
const SAME_SITES: Record<string, string> = { strict: 'Strict', lax: 'Lax', none: 'None' };

/** One Set-Cookie header value; throws a TypeError (`option expires is invalid`, ...) on bad input. */
export function serializeCookie(name: string, value: string, options: SerializeOptions = {}): string {
  const encode = options.encode ?? encodeURIComponent;
  if (typeof encode !== 'function') throw new TypeError('option encode is invalid');
  if (!NAME.test(name)) throw new TypeError('argument name is invalid');
  const encoded = encode(value);
  if (!VALUE.test(encoded)) throw new TypeError('argument val is invalid');
  let header = `${name}=${encoded}`;
  if (options.maxAge !== undefined && options.maxAge !== null) {
    const maxAge = Math.floor(options.maxAge);
    if (!Number.isFinite(maxAge)) throw new TypeError('option maxAge is invalid');
    header += `; Max-Age=${maxAge}`;
  }
  if (options.domain) {
    if (!DOMAIN.test(options.domain)) throw new TypeError('option domain is invalid');
    header += `; Domain=${options.domain}`;
  }
  if (options.path) {
    if (!PATH.test(options.path)) throw new TypeError('option path is invalid');
    header += `; Path=${options.path}`;
  }
  if (options.expires) {
    const expires = options.expires as unknown;
    if (!(expires instanceof Date) || Number.isNaN(expires.valueOf())) throw new TypeError('option expires is invalid');
    header += `; Expires=${expires.toUTCString()}`;
  }
  if (options.httpOnly) header += '; HttpOnly';
  if (options.secure) header += '; Secure';
  if (options.partitioned) header += '; Partitioned';
  if (options.priority) {
    const priority = typeof options.priority === 'string' ? PRIORITIES[options.priority.toLowerCase()] : undefined;
    if (priority === undefined) throw new TypeError('option priority is invalid');
    header += `; Priority=${priority}`;
  }
  if (options.sameSite) {
    const sameSite = options.sameSite === true ? 'Strict' : typeof options.sameSite === 'string' ? SAME_SITES[options.sameSite.toLowerCase()] : undefined;
    if (sameSite === undefined) throw new TypeError('option sameSite is invalid');
    header += `; SameSite=${sameSite}`;
  }
  return header;
}
