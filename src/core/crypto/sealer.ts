import { createCipheriv, createDecipheriv, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Keyring } from './keyring.js';

/**
 * Sealed token format, version 1 (then base64url without padding):
 *
 *   version(1) | kid(4) | salt(16) | iv(12) | ciphertext | tag(16)
 *
 * - The base key per keyring entry is HKDF-SHA-256(secret, info "tessera/sealed-cookie").
 * - Every seal draws a fresh random salt and IV; the message key is
 *   HMAC-SHA-256(base key, "tessera/sealed-cookie/v1" | salt), so no (key, IV) pair repeats
 *   in practice and the 2^32-messages-per-key bound of random GCM IVs never applies.
 * - AES-256-GCM with the full 16-byte tag; decryption always passes `authTagLength: 16`.
 * - Additional data: version | kid | the caller's context (cookie name and chunk count), so a
 *   token cannot move to another cookie name, format version or chunk layout.
 * - kid is a 4-byte fingerprint of the base key (HKDF with another info), stable across
 *   rotations; it selects the key to try, never an algorithm.
 */
export const SEAL_VERSION = 1;
const KID_BYTES = 4;
const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + KID_BYTES + SALT_BYTES + IV_BYTES;
/** Bytes a seal adds to the plaintext. */
export const SEAL_OVERHEAD_BYTES = HEADER_BYTES + TAG_BYTES;
const MESSAGE_KEY_INFO = Buffer.from('tessera/sealed-cookie/v1', 'utf8');

/** The result of opening a token. `stale`: an older key of the keyring opened it, so re-seal. */
export interface Opened {
  plaintext: Buffer;
  stale: boolean;
}

export interface Sealer {
  /** Seals `plaintext`, binding `context` as additional data. Returns base64url. */
  seal(plaintext: string | Uint8Array, context: string): string;
  /** The plaintext, or null for anything forged, garbled, truncated or sealed under another context. Never throws. */
  open(token: string, context: string): Opened | null;
  /** The exact length in characters of the token `seal` returns for `plaintextBytes` bytes. */
  tokenLength(plaintextBytes: number): number;
}

/** Length of base64url (no padding) of `bytes` bytes. */
export function base64urlLength(bytes: number): number {
  return Math.floor(bytes / 3) * 4 + [0, 2, 3][bytes % 3]!;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * True when the unused low bits of the last character of base64url text (no padding) are zero,
 * i.e. the text is the one canonical encoding of its bytes and has no aliases. Checked without
 * re-encoding the bytes.
 */
export function hasCanonicalTail(text: string): boolean {
  const rest = text.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  const value = ALPHABET.indexOf(text[text.length - 1]!);
  return value >= 0 && (value & (rest === 2 ? 0x0f : 0x03)) === 0;
}

/** The per-message key: HMAC-SHA-256 keyed with the base key (a PRF) over a fixed label and the salt. */
// createHmac over a KeyObject: a hand-written HMAC saved 0.26 µs per seal in bench/machinery.ts, within its noise.
function messageKey(baseKey: KeyObject, salt: Uint8Array): Buffer {
  return createHmac('sha256', baseKey).update(MESSAGE_KEY_INFO).update(salt).digest();
}

function additionalData(header: Buffer, context: string): Buffer {
  return Buffer.concat([header.subarray(0, 1 + KID_BYTES), Buffer.from(context, 'utf8')]);
}

/** AES-256-GCM sealing with keys from the keyring: the first key seals, every key opens. */
export function createSealer(keyring: Keyring, purpose = 'sealed-cookie'): Sealer {
  const keys = keyring.derive(purpose, 32).map((key) => createSecretKey(key));
  const kids = keyring.derive(`${purpose}/kid`, KID_BYTES);
  const current = keys[0]!;
  const currentKid = kids[0]!;

  return {
    tokenLength: (plaintextBytes) => base64urlLength(plaintextBytes + SEAL_OVERHEAD_BYTES),

    seal(plaintext, context) {
      const header = Buffer.alloc(HEADER_BYTES);
      header[0] = SEAL_VERSION;
      currentKid.copy(header, 1);
      randomBytes(SALT_BYTES + IV_BYTES).copy(header, 1 + KID_BYTES);
      const salt = header.subarray(1 + KID_BYTES, 1 + KID_BYTES + SALT_BYTES);
      const iv = header.subarray(1 + KID_BYTES + SALT_BYTES);
      const cipher = createCipheriv('aes-256-gcm', messageKey(current, salt), iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(additionalData(header, context));
      const body = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
      const sealed = Buffer.concat([header, cipher.update(body), cipher.final(), cipher.getAuthTag()]);
      return sealed.toString('base64url');
    },

    open(token, context) {
      if (typeof token !== 'string' || token.length < base64urlLength(SEAL_OVERHEAD_BYTES) || !BASE64URL.test(token)) return null;
      const bytes = Buffer.from(token, 'base64url');
      // Only the canonical encoding opens: no trailing bits, no aliases.
      if (bytes.length < SEAL_OVERHEAD_BYTES || base64urlLength(bytes.length) !== token.length || !hasCanonicalTail(token)) return null;
      if (bytes[0] !== SEAL_VERSION) return null;
      const kid = bytes.subarray(1, 1 + KID_BYTES);
      const salt = bytes.subarray(1 + KID_BYTES, 1 + KID_BYTES + SALT_BYTES);
      const iv = bytes.subarray(1 + KID_BYTES + SALT_BYTES, HEADER_BYTES);
      const ciphertext = bytes.subarray(HEADER_BYTES, bytes.length - TAG_BYTES);
      const tag = bytes.subarray(bytes.length - TAG_BYTES);
      const aad = additionalData(bytes, context);
      for (let i = 0; i < keys.length; i++) {
        if (!kids[i]!.equals(kid)) continue;
        try {
          const decipher = createDecipheriv('aes-256-gcm', messageKey(keys[i]!, salt), iv, { authTagLength: TAG_BYTES });
          decipher.setAAD(aad);
          decipher.setAuthTag(tag);
          const head = decipher.update(ciphertext);
          // final() verifies the tag; nothing is returned (or parsed) before it succeeds.
          const plaintext = Buffer.concat([head, decipher.final()]);
          return { plaintext, stale: i > 0 };
        } catch {
          // Wrong key (a kid collision) or a forged tag: try the next key, then fail closed.
        }
      }
      return null;
    },
  };
}
