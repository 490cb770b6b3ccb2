// src/core/crypto/hmac-sha256.ts as it was at 116bdf8, before eaf4c3a removed it (the figures of
// bench/machinery.ts showed it saved 0.1 µs per tag or less). Kept here, unchanged, so that the
// measurement behind that decision can be rerun. Not used by tessera.
import { hash } from 'node:crypto';

/** SHA-256 block size in bytes. */
const BLOCK = 64;
/** SHA-256 digest size in bytes. */
const DIGEST = 32;

/** HMAC-SHA-256 under one fixed key. */
export interface HmacSha256 {
  /** The MAC of an ASCII message, base64url without padding. */
  text(message: string): string;
  /** The MAC of a byte message, as 32 bytes. */
  bytes(message: Uint8Array): Buffer;
}

/**
 * HMAC-SHA-256 (RFC 2104) under a fixed key, built on the one-shot `crypto.hash`.
 *
 * `createHmac` builds a stream object (and an OpenSSL context) per call; on the read path that
 * object, not the hashing, is most of the cost. Here the padded key blocks are computed once and
 * each call is two one-shot SHA-256 digests over reused buffers. Text messages must be ASCII
 * (session IDs, short labels); anything else throws, so no caller can get a silently different
 * MAC. Verified against `createHmac` by property tests.
 */
export function hmacSha256(key: Uint8Array): HmacSha256 {
  if (key.length > BLOCK) throw new RangeError('hmacSha256: keys longer than 64 bytes are not supported');
  let inner = Buffer.alloc(BLOCK + 64);
  const outer = Buffer.alloc(BLOCK + DIGEST);
  for (let i = 0; i < BLOCK; i++) {
    const k = i < key.length ? key[i]! : 0;
    inner[i] = k ^ 0x36;
    outer[i] = k ^ 0x5c;
  }
  /** `inner` with room for `length` message bytes after the key block. */
  const room = (length: number): Buffer => {
    if (BLOCK + length > inner.length) {
      const grown = Buffer.alloc(BLOCK + length);
      inner.copy(grown, 0, 0, BLOCK);
      inner = grown;
    }
    return inner;
  };
  const finish = (length: number): void => {
    hash('sha256', inner.subarray(0, BLOCK + length), 'buffer').copy(outer, BLOCK);
  };
  return {
    text(message) {
      const length = message.length;
      for (let i = 0; i < length; i++) {
        if (message.charCodeAt(i) > 0x7f) throw new RangeError('hmacSha256: the message must be ASCII');
      }
      room(length).write(message, BLOCK, 'latin1');
      finish(length);
      return hash('sha256', outer, 'base64url');
    },
    bytes(message) {
      room(message.length).set(message, BLOCK);
      finish(message.length);
      return hash('sha256', outer, 'buffer');
    },
  };
}
