/**
 * A cookie as Next.js's `cookies().set(...)` takes it (the Cookie Store API's shape, as
 * `@edge-runtime/cookies` defines it), for one of the Set-Cookie values tessera wrote.
 */
export interface CookieInit {
  /** The cookie's name (`__Host-sid` by default). */
  name: string;
  /** Its value, cookie-safe as written (base64url and dots); empty when the cookie is cleared. */
  value: string;
  /** The `Path` attribute. */
  path?: string;
  /** The `Domain` attribute, when one is configured. */
  domain?: string;
  /** `Max-Age` in seconds; 0 removes the cookie. Absent for a browser-session cookie. */
  maxAge?: number;
  /** `Expires`, written beside `Max-Age` for older clients. */
  expires?: Date;
  /** `HttpOnly`: scripts cannot read it. */
  httpOnly?: boolean;
  /** `Secure`: sent over HTTPS only (and required by the `__Host-` prefix). */
  secure?: boolean;
  /** `SameSite`, in lower case. */
  sameSite?: 'strict' | 'lax' | 'none';
  /** `Partitioned` (CHIPS). */
  partitioned?: boolean;
  /** Chromium's `Priority`, in lower case. */
  priority?: 'low' | 'medium' | 'high';
}

const SAME_SITE = new Set(['strict', 'lax', 'none']);
const PRIORITY = new Set(['low', 'medium', 'high']);

/**
 * Reads one Set-Cookie value written by tessera (src/core/cookie/set-cookie.ts: `name=value`, then
 * `; Attribute` or `; Attribute=value` for Path, Domain, Max-Age, Expires, HttpOnly, Secure,
 * SameSite, Partitioned, Priority) back into its parts, so that a cookie store that writes its
 * own Set-Cookie header sends the same cookie, every attribute that scopes it included.
 */
export function cookieInitOf(setCookie: string): CookieInit {
  const [pair = '', ...attributes] = setCookie.split('; ');
  const eq = pair.indexOf('=');
  const init: CookieInit = { name: pair.slice(0, eq), value: pair.slice(eq + 1) };
  for (const attribute of attributes) {
    const at = attribute.indexOf('=');
    const key = (at === -1 ? attribute : attribute.slice(0, at)).toLowerCase();
    const value = at === -1 ? '' : attribute.slice(at + 1);
    if (key === 'path') init.path = value;
    else if (key === 'domain') init.domain = value;
    else if (key === 'max-age') init.maxAge = Number(value);
    else if (key === 'expires') init.expires = new Date(value);
    else if (key === 'httponly') init.httpOnly = true;
    else if (key === 'secure') init.secure = true;
    else if (key === 'partitioned') init.partitioned = true;
    else if (key === 'samesite' && SAME_SITE.has(value.toLowerCase())) init.sameSite = value.toLowerCase() as CookieInit['sameSite'];
    else if (key === 'priority' && PRIORITY.has(value.toLowerCase())) init.priority = value.toLowerCase() as CookieInit['priority'];
  }
  return init;
}
