// The `tessera-session` entry: what applications (and store authors) use. Adapters add `tessera-session/adapter`.
export type { Clock } from './clock.js';
export { systemClock } from './clock.js';
export type { CookieOptions } from './cookie/options.js';
export { parseCookieHeader } from './cookie/header.js';
export { hashStoreKey } from './crypto/random.js';
export type { SessionErrorCode } from './errors.js';
export { SessionError, isSessionError } from './errors.js';
export type { SessionEvent, SessionEventListener, SessionEventType } from './events.js';
export type { CommitResult, SessionManager } from './manager.js';
export { createSessionManager } from './manager.js';
export type { MemoryStoreOptions } from './memory-store.js';
export { MemoryStore } from './memory-store.js';
export type { CommonSessionOptions, CookieCacheOptions, CookieModeOptions, ManagerOptions, SessionManagerOptions, StoreModeOptions } from './options.js';
export { DEFAULTS } from './options.js';
export { Session } from './session.js';
export type { SessionStore, StoreWriteMeta, StoredSession } from './store.js';
export type { HeaderTransportOptions } from './transport.js';
export type { ClientInfo, DefaultSessionData, KeyringInput, Secret, SessionData, SessionInfo, SessionStatus } from './types.js';
