// The signed cookie value of express-session 1.x (cookie-signature 1.0), byte for byte:
// `<id>.<mac>` where mac is the base64 HMAC-SHA-256 of the id with the `=` padding removed. The
// MAC and its constant-time check are tessera's shared primitive (`tessera-session/adapter`); what is
// express-session's own stays here: the base64 alphabet, the raw `secret` as the key (string,
// Buffer or KeyObject, no derivation), the TypeErrors of `sign`, and splitting at the last dot.
// The `s:` prefix is added by the middleware when it writes the cookie, and checked before
// `unsign` is called.
import { macTag, verifyMacTag } from '../adapter/index.js';
import type { MacKey } from '../adapter/index.js';

/** Anything `crypto.createHmac` accepts as a key, as express-session's `secret` does. */
export type SecretKey = MacKey;

/** `value + '.' + mac(value)`, as express-session signs a session ID. */
export function sign(value: string, secret: SecretKey): string {
  if (typeof value !== 'string') throw new TypeError('Cookie value must be provided as a string.');
  if (secret === null || secret === undefined) throw new TypeError('Secret key must be provided.');
  return `${value}.${macTag(secret, value, 'base64')}`;
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
  const tag = signed.slice(dot + 1);
  for (const secret of secrets) {
    if (secret !== null && secret !== undefined && verifyMacTag(secret, value, tag, 'base64')) return value;
  }
  return false;
}
