// The `tessera-session/adapter` entry: what people who write framework adapters (and store wrappers) need
// beyond the root entry. See docs/writing-an-adapter.md.
export type { PreparedCommit, SessionProtocol } from '../core/protocol.js';
export { sessionProtocol } from '../core/protocol.js';
// What `tessera-session/dbsc` uses of a manager made with the `dbsc` option.
export type { ChallengeCheck, DbscAccess, DbscKey, DbscLookup, DbscWrite } from '../core/dbsc/types.js';
export type { Binding, UsedChallenge } from '../core/dbsc/binding.js';
export { publicJwk } from '../core/dbsc/binding.js';
export { dbscAccess } from '../core/dbsc/capability.js';
export type { ResolvedDbsc } from '../core/dbsc/options.js';
export { asSessionError, storeError } from '../core/errors.js';
export { findCookieValues } from '../core/cookie/header.js';
export type { ResolvedCookieOptions } from '../core/cookie/options.js';
export { resolveCookieOptions } from '../core/cookie/options.js';
export { MAX_COOKIE_AGE_SECONDS, serializeClearCookie, serializeSetCookie } from '../core/cookie/set-cookie.js';
export type { ResponseHeader } from '../core/transport.js';
export type { FailureAnswer } from './failure.js';
export { FAILURE_REMOVES, failureAnswer } from './failure.js';
export type { NodeRequestHeaders } from './request-header.js';
export { nodeRequestHeader } from './request-header.js';
export type { HeaderSink, NodeHeaderTarget } from './response-headers.js';
export { nodeHeaderSink, varyWith, writeSessionHeaders } from './response-headers.js';
// What the stores, the connect wrapper and the express-session drop-in share (see docs/migrating-from-express-session.md).
export { cookieExpiresAt } from './cookie-expiry.js';
// Primitives the core and the express-session drop-in share (see docs/migrating-from-express-session.md).
export type { MacAlphabet, MacKey, SecretKeyObjectLike } from '../core/shared/mac.js';
export { macTag, verifyMacTag } from '../core/shared/mac.js';
export type { SetCookieAttribute, SetCookieAttributes } from '../core/shared/set-cookie-writer.js';
export { COOKIE_PACKAGE_ATTRIBUTE_ORDER, TESSERA_ATTRIBUTE_ORDER, writeSetCookie } from '../core/shared/set-cookie-writer.js';
export type { ManagerEntry } from './request-entries.js';
export { addEntry, commitNow, entryOfManager, requireEntry } from './request-entries.js';
