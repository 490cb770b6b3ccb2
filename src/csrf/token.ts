// The token scheme of tessera-session/csrf: a per-session secret, and tokens that are an HMAC of a fresh salt.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Length of the session secret once encoded (32 random bytes, base64url). */
export const SECRET_LENGTH = 43;
const SALT_LENGTH = 22; // 16 random bytes, base64url
const MAC_LENGTH = 43; // HMAC-SHA-256, base64url
/** Length of every token: `salt.mac`. */
export const TOKEN_LENGTH = SALT_LENGTH + 1 + MAC_LENGTH;

const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/;

/** A new session secret: 32 bytes from the CSPRNG, base64url. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether a value read from the session is a secret this module made. */
export function isSecret(value: unknown): value is string {
  return typeof value === 'string' && SECRET_PATTERN.test(value);
}

// The MAC covers the salt's text, not its decoded bytes, so two spellings of one salt never share a MAC.
function macOf(secret: string, salt: string): string {
  return createHmac('sha256', Buffer.from(secret, 'base64url')).update(`tessera-csrf\0${salt}`).digest('base64url');
}

/** A new token for `secret`: a fresh random salt and its MAC, so each page gets a different token. */
export function signToken(secret: string): string {
  const salt = randomBytes(16).toString('base64url');
  return `${salt}.${macOf(secret, salt)}`;
}

/**
 * Whether `token` was made by `signToken(secret)`. Never throws. The MAC is compared as text in
 * constant time; only the (public) shape of the token is checked before that.
 */
export function checkToken(secret: string, token: unknown): boolean {
  if (typeof token !== 'string' || token.length !== TOKEN_LENGTH || !TOKEN_PATTERN.test(token)) return false;
  if (!isSecret(secret)) return false;
  const expected = Buffer.from(macOf(secret, token.slice(0, SALT_LENGTH)), 'latin1');
  const given = Buffer.from(token.slice(SALT_LENGTH + 1), 'latin1');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
