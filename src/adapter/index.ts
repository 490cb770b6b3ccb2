// The `tessera/adapter` entry: what people who write framework adapters (and store wrappers) need
// beyond the root entry. See docs/writing-an-adapter.md.
export { findCookieValues } from '../core/cookie/header.js';
export type { ResolvedCookieOptions } from '../core/cookie/options.js';
export { resolveCookieOptions } from '../core/cookie/options.js';
export { MAX_COOKIE_AGE_SECONDS, serializeClearCookie, serializeSetCookie } from '../core/cookie/set-cookie.js';
export { storeError } from '../core/errors.js';
