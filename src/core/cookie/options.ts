import { SessionError } from '../errors.js';

/** Attributes of the session cookie. */
export interface CookieOptions {
  /** Cookie name. Default `__Host-sid` when secure, `sid` otherwise. */
  name?: string;
  /** Default `/`. */
  path?: string;
  /** Default unset (host-only). Requires a name without the `__Host-` prefix. */
  domain?: string;
  /** Default true. */
  secure?: boolean;
  /** Default true. */
  httpOnly?: boolean;
  /** Default `lax`. `none` requires `secure`. */
  sameSite?: 'strict' | 'lax' | 'none';
  /** CHIPS partitioned cookie. Default false; requires `secure`. */
  partitioned?: boolean;
  /** Chromium's Priority attribute. Default unset. */
  priority?: 'low' | 'medium' | 'high';
}

/** Cookie options with the defaults applied and the rules checked, as `resolveCookieOptions` returns them. */
export type ResolvedCookieOptions = Readonly<Required<Omit<CookieOptions, 'domain' | 'priority'>> & Pick<CookieOptions, 'domain' | 'priority'>>;

/** RFC 9110 token characters, which RFC 6265bis requires of a cookie name. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Attribute values: printable ASCII without `;`. */
const ATTRIBUTE_VALUE = /^[\x21-\x3a\x3c-\x7e]+$/;

function configError(message: string): SessionError {
  return new SessionError('ERR_SESSION_CONFIG', message);
}

const LIFETIME_HINT = 'the cookie lives as long as the session: set lifetime and idleTimeout (seconds), and persistent or setPersistent(true) for remember-me';
/** Keys of `CookieOptions`, with what to do instead for options other libraries (express-session) take. */
const KEYS: Readonly<Record<string, string | undefined>> = {
  name: undefined, path: undefined, domain: undefined, secure: undefined, httpOnly: undefined, sameSite: undefined, partitioned: undefined, priority: undefined,
  maxAge: LIFETIME_HINT,
  expires: LIFETIME_HINT,
  signed: 'the session cookie is always signed (or sealed)',
};

const OPTION_NAMES = Object.keys(KEYS).filter((key) => KEYS[key] === undefined).join(', ');

/** Unknown keys and non-boolean flags are refused: a typo or another library's option must not be ignored silently. */
function checkShape(input: CookieOptions): void {
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(KEYS, key)) throw configError(`cookie.${key} is not a cookie option (${OPTION_NAMES})`);
    const hint = KEYS[key];
    if (hint !== undefined) throw configError(`cookie.${key} is not a tessera option: ${hint}`);
  }
  for (const flag of ['secure', 'httpOnly', 'partitioned'] as const) {
    const value: unknown = input[flag];
    if (value === undefined || typeof value === 'boolean') continue;
    throw configError(
      flag === 'secure' && value === 'auto'
        ? "cookie.secure must be true or false: 'auto' (express-session) is not supported; use true when browsers reach the site over HTTPS (behind a TLS proxy too), false only for plain-HTTP development"
        : `cookie.${flag} must be true or false; got ${JSON.stringify(value)}`,
    );
  }
}

/** Applies the secure defaults and enforces the prefix and attribute rules. Never mutates `input`. */
export function resolveCookieOptions(input: CookieOptions = {}): ResolvedCookieOptions {
  checkShape(input);
  const secure = input.secure ?? true;
  const name = input.name ?? (secure ? '__Host-sid' : 'sid');
  const path = input.path ?? '/';
  const sameSite = input.sameSite ?? 'lax';
  const resolved = {
    name,
    path,
    domain: input.domain,
    secure,
    httpOnly: input.httpOnly ?? true,
    sameSite,
    partitioned: input.partitioned ?? false,
    priority: input.priority,
  };
  if (!TOKEN.test(name)) throw configError(`cookie.name ${JSON.stringify(name)} is not a valid cookie name: use letters, digits and !#$%&'*+-.^_\`|~`);
  if (!path.startsWith('/') || !ATTRIBUTE_VALUE.test(path)) throw configError(`cookie.path must start with "/" and contain no ";" or spaces; got ${JSON.stringify(path)}`);
  if (resolved.domain !== undefined && !/^\.?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(resolved.domain)) {
    throw configError(`cookie.domain ${JSON.stringify(resolved.domain)} is not a valid domain`);
  }
  if (!['strict', 'lax', 'none'].includes(sameSite)) throw configError(`cookie.sameSite must be 'strict', 'lax' or 'none'; got ${JSON.stringify(sameSite)}`);
  if (resolved.priority !== undefined && !['low', 'medium', 'high'].includes(resolved.priority)) {
    throw configError(`cookie.priority must be 'low', 'medium' or 'high'; got ${JSON.stringify(resolved.priority)}`);
  }
  if (sameSite === 'none' && !secure) throw configError("cookie.sameSite 'none' requires cookie.secure: browsers reject SameSite=None without Secure");
  if (resolved.partitioned && !secure) throw configError('cookie.partitioned requires cookie.secure');
  const lower = name.toLowerCase();
  if (lower.startsWith('__secure-') || lower.startsWith('__host-') || lower.startsWith('__http-')) {
    if (!secure) throw configError(`cookie name ${name} has a prefix that requires cookie.secure: true`);
  }
  if (lower.startsWith('__host-')) {
    if (resolved.domain !== undefined) throw configError(`cookie name ${name} uses the __Host- prefix, which forbids cookie.domain; use a __Secure- name to share the cookie with subdomains`);
    if (path !== '/') throw configError(`cookie name ${name} uses the __Host- prefix, which requires cookie.path "/"`);
  }
  if ((lower.startsWith('__http-') || lower.startsWith('__host-http-')) && !resolved.httpOnly) {
    throw configError(`cookie name ${name} uses an __Http- prefix, which requires cookie.httpOnly: true`);
  }
  return Object.freeze(resolved);
}
