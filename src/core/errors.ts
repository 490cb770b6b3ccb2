/** Every error tessera throws or reports carries one of these codes. */
export type SessionErrorCode =
  /** Misconfiguration, thrown at construction with a message that says what to do. */
  | 'ERR_SESSION_CONFIG'
  /** A store call failed or timed out; the driver's error is in `cause`. */
  | 'ERR_SESSION_STORE'
  /** A compare-and-set commit kept conflicting until its retries ran out. */
  | 'ERR_SESSION_CONFLICT'
  /** A sealed cookie would exceed the configured maximum size. */
  | 'ERR_SESSION_COOKIE_TOO_LARGE'
  /** The session record would exceed the configured maximum size. */
  | 'ERR_SESSION_TOO_LARGE'
  /** A cookie had to change after the response headers were already sent. */
  | 'ERR_SESSION_HEADERS_SENT'
  /** A session was used where no middleware loaded it, or after it was committed and closed. */
  | 'ERR_SESSION_NOT_LOADED'
  /** The operation is not supported: a store capability this store lacks (a per-user index, say), or express-session's callback form of a method. */
  | 'ERR_SESSION_UNSUPPORTED'
  /** An unexpected failure while loading or committing (data that cannot be encoded, a bug); the original is in `cause`. */
  | 'ERR_SESSION_INTERNAL';

/** The one error class of tessera. Match on `code`, never on the message. */
export class SessionError extends Error {
  /** What went wrong, for code to match on. */
  readonly code: SessionErrorCode;

  constructor(code: SessionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SessionError';
    this.code = code;
  }
}

/** True when `value` is a SessionError, optionally with the given code. */
export function isSessionError(value: unknown, code?: SessionErrorCode): value is SessionError {
  return value instanceof SessionError && (code === undefined || value.code === code);
}

/** `cause` as it is when it is a SessionError, else a SessionError of `code` that says what failed and keeps it as `cause`. */
function wrapped(code: SessionErrorCode, what: string, cause: unknown): SessionError {
  if (cause instanceof SessionError) return cause;
  return new SessionError(code, `${what} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
}

/** Wraps a driver failure in `ERR_SESSION_STORE`, keeping the original as `cause`. */
export function storeError(operation: string, cause: unknown): SessionError {
  return wrapped('ERR_SESSION_STORE', `session store ${operation}`, cause);
}

/** Any failure as a SessionError: SessionErrors as they are, anything else as `ERR_SESSION_INTERNAL` with it as `cause`. */
export function asSessionError(error: unknown, during: string): SessionError {
  return wrapped('ERR_SESSION_INTERNAL', `session ${during}`, error);
}
