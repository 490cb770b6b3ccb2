/** Lifecycle and security events. They carry a hash of the session ID, never the ID. */
export type SessionEventType =
  | 'created'
  | 'regenerated'
  /** The ID was rotated by `renewAfter`; the old one works for `renewGrace` more seconds. */
  | 'renewed'
  | 'destroyed'
  | 'expired'
  /** A session cookie with a bad signature or shape. */
  | 'invalid_cookie'
  /** A well-signed cookie whose session does not exist (strict mode replaced it). */
  | 'unknown_id'
  /** Several valid session cookies in one request (cookie tossing): none was used. */
  | 'duplicate_cookie'
  /** A stored record that could not be decoded. */
  | 'corrupt'
  /** A compare-and-set commit met another request's write and merged. */
  | 'conflict'
  /** `maxSessionsPerUser`: a login ended one of the user's least recently used sessions. It carries `userId`, not `idHash` (only the session's store key is known). */
  | 'evicted'
  /** DBSC: a browser registered its key; the session is now bound. */
  | 'dbsc_bound'
  /** DBSC: a bound cookie was renewed with a valid proof. */
  | 'dbsc_refreshed'
  /** DBSC: a bound session came without a fresh bound cookie (a stolen cookie, or a refresh the browser skipped): it was treated as a new, anonymous session. */
  | 'dbsc_refused'
  /** DBSC: a proof failed (bad signature, wrong key, algorithm or challenge). */
  | 'dbsc_proof_failed';

/** One lifecycle or security event, as `onEvent` receives it. */
export interface SessionEvent {
  /** What happened. */
  type: SessionEventType;
  /** SHA-256 of the session ID, base64url, first 16 characters: enough to correlate, useless as a cookie. */
  idHash?: string;
  /**
   * The user whose session ended, on `evicted` and (store mode) `destroyed`, emitted once the
   * record is gone from the store: tell your other instances, so that with `cookieCache` their
   * `revalidate` refuses its cached copies at once (docs/cookie-cache.md).
   */
  userId?: string;
  /** Epoch ms. */
  at: number;
}

/** The `onEvent` option: called synchronously with each event; what it throws is ignored. */
export type SessionEventListener = (event: SessionEvent) => void;
