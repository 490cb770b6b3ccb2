import { hash, randomBytes } from 'node:crypto';

/** Length of a session ID: 32 random bytes in base64url without padding. */
export const SESSION_ID_LENGTH = 43;

const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A new session ID: 256 bits from the CSPRNG, base64url. */
export function generateSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/** True when `value` has the exact shape of a session ID (and so is safe to hash and look up). */
export function isSessionId(value: string): boolean {
  return value.length === SESSION_ID_LENGTH && SESSION_ID_PATTERN.test(value);
}

/** The store key of a session ID: SHA-256, base64url. A store dump gives no usable cookie. */
export function hashStoreKey(id: string): string {
  return hash('sha256', id, 'base64url');
}
