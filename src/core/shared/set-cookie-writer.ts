// Writing a Set-Cookie header from attributes a caller has already validated: each attribute is
// spelled in one place. The order is the caller's: the core keeps its own, the express-session
// drop-in the `cookie` package's (0.7, as express-session 1.x sends it), so that its headers stay
// byte-identical to express-session's.

/** Validated, normalised attributes of one Set-Cookie header; unset and false ones are not written. */
export interface SetCookieAttributes {
  /** Whole seconds, written as given (the caller floors, clamps or refuses). */
  maxAge?: number | undefined;
  /** `Domain=`. */
  domain?: string | undefined;
  /** `Path=`. */
  path?: string | undefined;
  /** `Expires=`, written as an HTTP date. */
  expires?: Date | undefined;
  /** `HttpOnly` when true. */
  httpOnly?: boolean | undefined;
  /** `Secure` when true. */
  secure?: boolean | undefined;
  /** `Partitioned` (CHIPS) when true. */
  partitioned?: boolean | undefined;
  /** `Priority=` (Chromium). */
  priority?: 'low' | 'medium' | 'high' | undefined;
  /** `SameSite=`. */
  sameSite?: 'strict' | 'lax' | 'none' | undefined;
}

/** The name of one attribute, for an attribute order. */
export type SetCookieAttribute = keyof SetCookieAttributes;

/** tessera's order: scope, lifetime, flags. */
export const TESSERA_ATTRIBUTE_ORDER: readonly SetCookieAttribute[] = Object.freeze(['path', 'domain', 'maxAge', 'expires', 'httpOnly', 'secure', 'sameSite', 'partitioned', 'priority']);
/** The `cookie` package's order (0.7), which express-session 1.x sends. */
export const COOKIE_PACKAGE_ATTRIBUTE_ORDER: readonly SetCookieAttribute[] = Object.freeze(['maxAge', 'domain', 'path', 'expires', 'httpOnly', 'secure', 'partitioned', 'priority', 'sameSite']);

const CAPITALISED = { low: 'Low', medium: 'Medium', high: 'High', strict: 'Strict', lax: 'Lax', none: 'None' } as const;

type Writers = { [K in SetCookieAttribute]-?: (value: NonNullable<SetCookieAttributes[K]>) => string };

const WRITERS: Writers = {
  maxAge: (seconds) => `; Max-Age=${seconds}`,
  domain: (domain) => `; Domain=${domain}`,
  path: (path) => `; Path=${path}`,
  expires: (date) => `; Expires=${date.toUTCString()}`,
  httpOnly: (on) => (on ? '; HttpOnly' : ''),
  secure: (on) => (on ? '; Secure' : ''),
  partitioned: (on) => (on ? '; Partitioned' : ''),
  priority: (priority) => `; Priority=${CAPITALISED[priority]}`,
  sameSite: (sameSite) => `; SameSite=${CAPITALISED[sameSite]}`,
};

/**
 * `name=value` and the attributes, in `order`. Nothing is validated here: `name` must be a token,
 * `value` cookie-safe, `domain` and `path` free of `;` and controls (each caller checks its own way).
 */
export function writeSetCookie(name: string, value: string, attributes: SetCookieAttributes, order: readonly SetCookieAttribute[] = TESSERA_ATTRIBUTE_ORDER): string {
  let header = `${name}=${value}`;
  for (const attribute of order) {
    const given = attributes[attribute];
    if (given !== undefined) header += (WRITERS[attribute] as (value: unknown) => string)(given);
  }
  return header;
}
