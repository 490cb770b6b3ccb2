// The signed cookie value of express-session 1.x, byte for byte: `<id>.<mac>` where mac is the
// base64 HMAC-SHA-256 of the id with the `=` padding removed. The `s:` prefix is added by the
// middleware when it writes the cookie, and checked before `unsign` is called.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { BinaryLike, KeyObject } from 'node:crypto';

/** Anything `crypto.createHmac` accepts as a key, as express-session's `secret` does. */
export type SecretKey = BinaryLike | KeyObject;

function mac(value: string, secret: SecretKey): string {
  return createHmac('sha256', secret).update(value).digest('base64').replace(/=+$/, '');
}

/** `value + '.' + mac(value)`, as express-session signs a session ID. */
export function sign(value: string, secret: SecretKey): string {
  if (typeof value !== 'string') throw new TypeError('Cookie value must be provided as a string.');
  if (secret === null || secret === undefined) throw new TypeError('Secret key must be provided.');
  return `${value}.${mac(value, secret)}`;
}

/**
 * The value inside `signed` when its MAC verifies under one of `secrets` (first match wins), or
 * false. Comparison is constant-time for a given length; the loop is bounded by the secret list.
 */
export function unsign(signed: string, secrets: readonly SecretKey[]): string | false {
  if (typeof signed !== 'string') return false;
  const dot = signed.lastIndexOf('.');
  if (dot === -1) return false;
  const value = signed.slice(0, dot);
  const given = Buffer.from(signed, 'utf8');
  for (const secret of secrets) {
    if (secret === null || secret === undefined) continue;
    const expected = Buffer.from(`${value}.${mac(value, secret)}`, 'utf8');
    if (expected.length === given.length && timingSafeEqual(expected, given)) return value;
  }
  return false;
}
