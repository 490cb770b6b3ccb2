import { SessionError } from './errors.js';
import type { ResponseHeader } from './transport.js';

// `Clear-Site-Data` at logout (OWASP SM-30, ASVS 14.3.1): the browser drops what it kept for the
// site (https://w3c.github.io/webappsec-clear-site-data/).

/** A kind of data the `Clear-Site-Data` header names. */
export type ClearSiteDataType = 'cache' | 'cookies' | 'storage' | 'executionContexts' | 'clientHints' | 'prefetchCache' | 'prerenderCache';

/** What `session.destroy()` takes. */
export interface DestroyOptions {
  /**
   * Send `Clear-Site-Data` with the response that commits the logout: `true` for `"cache",
   * "cookies", "storage"`, or the kinds to name. `"cookies"` clears every cookie of the site's
   * registrable domain, those the same response sets included, so it is left out when the
   * response starts a new session (data set after `destroy()`, a flash message say). Browsers
   * honour it over HTTPS and on `localhost` only. Default false.
   */
  clearSiteData?: boolean | readonly ClearSiteDataType[];
}

const KINDS: readonly ClearSiteDataType[] = ['cache', 'cookies', 'storage', 'executionContexts', 'clientHints', 'prefetchCache', 'prerenderCache'];
const DEFAULT_KINDS: readonly ClearSiteDataType[] = ['cache', 'cookies', 'storage'];

/** The kinds `destroy(options)` asks to clear (undefined: none); anything else is a clear error. */
export function clearSiteDataOf(options: DestroyOptions | undefined): readonly ClearSiteDataType[] | undefined {
  const value = options?.clearSiteData;
  if (value === undefined || value === false) return undefined;
  if (value === true) return DEFAULT_KINDS;
  // Indexed, not every(): every() skips the holes of a sparse array.
  if (Array.isArray(value) && Array.from(value, (kind: unknown) => KINDS.includes(kind as ClearSiteDataType)).every(Boolean)) return value.length === 0 ? undefined : [...new Set(value)];
  throw new SessionError('ERR_SESSION_CONFIG', `clearSiteData must be true, false or an array of ${KINDS.map((k) => JSON.stringify(k)).join(', ')}; got ${JSON.stringify(value) ?? String(value)}`);
}

/** The header for `kinds`, without `"cookies"` when the response sets a session cookie (it would clear that too). */
export function clearSiteDataHeader(kinds: readonly ClearSiteDataType[], setsCookie: boolean): ResponseHeader | undefined {
  const named = setsCookie ? kinds.filter((kind) => kind !== 'cookies') : kinds;
  return named.length === 0 ? undefined : ['clear-site-data', named.map((kind) => `"${kind}"`).join(', ')];
}
