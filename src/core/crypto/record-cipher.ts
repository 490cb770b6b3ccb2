import { createCipheriv, createDecipheriv, createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Keyring } from './keyring.js';

/**
 * Deterministic authenticated encryption of store values (`encryptAtRest`): the SIV
 * construction (Rogaway and Shrimpton, "Deterministic Authenticated-Encryption", 2006) from
 * Node's own HMAC-SHA-256 and AES-256-CTR, as Node's OpenSSL 3.0 has no AES-SIV.
 *
 *   token = base64url(version(1) | kid(4) | siv(16) | AES-256-CTR(encKey, iv = siv, plaintext))
 *   siv   = HMAC-SHA-256(macKey, version | kid | u32 length of context | context | plaintext)[0..16]
 *
 * Why deterministic: a store's compare-and-set compares the stored text byte for byte, so the
 * manager must be able to seal a value it read again and get the very text the store holds. The
 * price is that equal values under one context (one store key) seal equally, which tells a reader
 * of the store nothing it could not see from the key alone. Opening recomputes the SIV over the
 * decrypted text and compares in constant time: a flipped bit, another key or another context
 * gives null, never a plaintext.
 */
const VERSION = 1;
const KID_BYTES = 4;
const SIV_BYTES = 16;
const HEADER_BYTES = 1 + KID_BYTES + SIV_BYTES;
const TOKEN = /^[A-Za-z0-9_-]+$/;

export interface RecordCipher {
  /** Seals `plaintext` under the current key, bound to `context`. The same inputs give the same token. */
  seal(plaintext: string, context: string): string;
  /** Seals under every key of the keyring, current first: a value sealed before a rotation is one of these. */
  sealAll(plaintext: string, context: string): string[];
  /** The plaintext, or null for anything forged, garbled, sealed under another context or under no key of the keyring. Never throws. */
  open(token: string, context: string): string | null;
}

interface Key {
  readonly kid: Buffer;
  readonly enc: KeyObject;
  readonly mac: KeyObject;
}

function syntheticIv(key: Key, header: Buffer, context: string, plaintext: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(Buffer.byteLength(context, 'utf8'));
  return createHmac('sha256', key.mac).update(header.subarray(0, 1 + KID_BYTES)).update(length).update(context, 'utf8').update(plaintext).digest().subarray(0, SIV_BYTES);
}

function sealWith(key: Key, plaintext: string, context: string): string {
  const header = Buffer.alloc(HEADER_BYTES);
  header[0] = VERSION;
  key.kid.copy(header, 1);
  const body = Buffer.from(plaintext, 'utf8');
  const siv = syntheticIv(key, header, context, body);
  siv.copy(header, 1 + KID_BYTES);
  const cipher = createCipheriv('aes-256-ctr', key.enc, siv);
  return Buffer.concat([header, cipher.update(body), cipher.final()]).toString('base64url');
}

/** The record cipher of `purpose`, with keys from the keyring: the first seals, every one opens. */
export function createRecordCipher(keyring: Keyring, purpose: string): RecordCipher {
  const enc = keyring.derive(`${purpose}/enc`, 32);
  const mac = keyring.derive(`${purpose}/mac`, 32);
  const kids = keyring.derive(`${purpose}/kid`, KID_BYTES);
  const keys: Key[] = kids.map((kid, i) => ({ kid, enc: createSecretKey(enc[i]!), mac: createSecretKey(mac[i]!) }));
  return {
    seal: (plaintext, context) => sealWith(keys[0]!, plaintext, context),
    sealAll: (plaintext, context) => keys.map((key) => sealWith(key, plaintext, context)),
    open(token, context) {
      if (typeof token !== 'string' || !TOKEN.test(token)) return null;
      const bytes = Buffer.from(token, 'base64url');
      // Only the canonical encoding opens: a token has one spelling.
      if (bytes.length < HEADER_BYTES || bytes.toString('base64url') !== token || bytes[0] !== VERSION) return null;
      const kid = bytes.subarray(1, 1 + KID_BYTES);
      const siv = bytes.subarray(1 + KID_BYTES, HEADER_BYTES);
      for (const key of keys) {
        if (!key.kid.equals(kid)) continue;
        const decipher = createDecipheriv('aes-256-ctr', key.enc, siv);
        const plaintext = Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES)), decipher.final()]);
        if (timingSafeEqual(syntheticIv(key, bytes, context, plaintext), siv)) return plaintext.toString('utf8');
      }
      return null;
    },
  };
}
