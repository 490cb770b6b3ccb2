// The message-authentication primitive both cookie signatures are built on: HMAC-SHA-256 as
// unpadded text, and a constant-time check of a given tag. The core signs session IDs with it
// under derived keys in base64url; the express-session drop-in signs with the raw `secret`
// (string, Buffer or KeyObject) in base64, which is express-session's format.
import { createHmac } from 'node:crypto';
import type { BinaryLike, KeyObject } from 'node:crypto';

/**
 * A secret `KeyObject` of `node:crypto` (`createSecretKey(bytes)`), described by its shape so that
 * the public declarations compile without Node's types. Only a real `KeyObject` works at run time.
 */
export interface SecretKeyObjectLike {
  /** `'secret'` for a key made by `createSecretKey`. */
  readonly type: string;
  /** The key's length in bytes. */
  readonly symmetricKeySize?: number | undefined;
}

/** Anything `crypto.createHmac` accepts as a key: text (its UTF-8 bytes), bytes, or a secret `KeyObject`. */
export type MacKey = string | ArrayBufferView | SecretKeyObjectLike;
/** The alphabet of the tag text; either way without `=` padding. */
export type MacAlphabet = 'base64' | 'base64url';

/** HMAC-SHA-256 of `message` (UTF-8) under `key`, as unpadded text in `alphabet`. */
export function macTag(key: MacKey, message: string, alphabet: MacAlphabet): string {
  const tag = createHmac('sha256', key as BinaryLike | KeyObject).update(message).digest(alphabet);
  // A 32-byte MAC has one `=` of base64 padding; base64url comes without it.
  return tag.endsWith('=') ? tag.slice(0, -1) : tag;
}

/**
 * Whether `tag` is the MAC of `message` under `key`. The canonical text of the expected tag is
 * compared with the given text in constant time (a different length answers at once), so a
 * non-canonical alias of the right bytes never matches and nothing is decoded.
 */
export function verifyMacTag(key: MacKey, message: string, tag: string, alphabet: MacAlphabet): boolean {
  return sameText(macTag(key, message, alphabet), tag);
}

/** Whether two strings are equal, in time that depends on their length only (a different length answers at once). */
export function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
