/**
 * The shape of session data. Empty by default; augment it to type `req.session` everywhere:
 *
 * @example
 * declare module 'tessera-session' {
 *   interface SessionData { userId: string; cart: string[] }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SessionData {}

/** The data type used when none is given: the augmented `SessionData`, or any string key. */
export type DefaultSessionData = keyof SessionData extends never ? Record<string, unknown> : SessionData;

/** A secret: a string (its UTF-8 bytes count) or raw bytes. At least 32 bytes. */
export type Secret = string | Uint8Array;
/** One secret or several; the first one signs, every one verifies. */
export type KeyringInput = Secret | readonly Secret[];

/** What happened to a session during the request, by explicit calls. */
export type SessionStatus = 'unchanged' | 'modified' | 'regenerated' | 'destroyed';

/** Client details recorded with a session, shown by `listSessions`. */
export interface ClientInfo {
  /** The `User-Agent` header of the request that created the session. */
  userAgent?: string;
  /** The client's IP address, as the adapter saw it. */
  ip?: string;
}

/** One of a user's sessions, as a "your devices" page shows it. Carries a handle, never the session ID. */
export interface SessionInfo {
  /**
   * Opaque; pass it to `revokeSession`. It cannot be turned into a cookie. It stays the same
   * through the session's ID renewals (`renewAfter`), so a devices page listed before one still
   * revokes the session after it; a `regenerate()` (a login) starts a new session, with a new
   * handle.
   */
  handle: string;
  /** When the session was created, or last regenerated (at login), epoch ms. */
  createdAt: number;
  /** When the session was last used, epoch ms. */
  lastSeenAt: number;
  /** When the session ends unless it is used again, epoch ms: the earlier of the idle and the absolute deadline. */
  expiresAt: number;
  /** The user agent recorded with the session (`recordClient`). */
  userAgent?: string;
  /** The IP address recorded with the session (`recordClient`). */
  ip?: string;
  /** True for the session of the request that asked. */
  current: boolean;
  /** Present and true when the session is bound to a device key (DBSC, the `dbsc` option). */
  bound?: boolean;
}
