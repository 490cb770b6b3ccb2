import { hkdfSync } from 'node:crypto';
import { SessionError } from '../errors.js';
import type { KeyringInput, Secret } from '../types.js';

/** Minimum secret length in bytes. */
export const MIN_SECRET_BYTES = 32;

/** Secrets published as examples in peer libraries' docs; refusing them stops copy-paste deployments. */
const SAMPLE_SECRETS = new Set([
  'complex_password_at_least_32_characters_long',
  'keyboard cat keyboard cat keyboard cat',
  'change-me-change-me-change-me-change-me',
]);

/** Ordered keys, each derived for one purpose. Index 0 is current. */
export interface Keyring {
  /** Keys derived with HKDF-SHA-256 for `purpose`, newest first. */
  derive(purpose: string, length?: number): readonly Buffer[];
  readonly size: number;
}

/** Validates the secrets and returns a keyring. Throws `ERR_SESSION_CONFIG` on a weak secret. */
export function createKeyring(input: KeyringInput): Keyring {
  const list: readonly Secret[] = typeof input === 'string' || input instanceof Uint8Array ? [input] : input;
  if (!Array.isArray(list) || list.length === 0) {
    throw new SessionError('ERR_SESSION_CONFIG', 'secrets is required: pass one secret of at least 32 bytes, or an array of them (the first signs)');
  }
  const raw = list.map((secret, index) => toBytes(secret, index));
  const cache = new Map<string, readonly Buffer[]>();
  return {
    size: raw.length,
    derive(purpose, length = 32) {
      const cacheKey = `${purpose}:${length}`;
      let keys = cache.get(cacheKey);
      if (!keys) {
        keys = raw.map((secret) => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `tessera/${purpose}`, length)));
        cache.set(cacheKey, keys);
      }
      return keys;
    },
  };
}

function toBytes(secret: Secret, index: number): Buffer {
  if (typeof secret !== 'string' && !(secret instanceof Uint8Array)) {
    throw new SessionError('ERR_SESSION_CONFIG', `secret #${index} must be a string or bytes, got ${typeof secret}`);
  }
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new SessionError(
      'ERR_SESSION_CONFIG',
      `secret #${index} must be at least ${MIN_SECRET_BYTES} bytes; got ${bytes.length}. Generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`,
    );
  }
  if (typeof secret === 'string' && SAMPLE_SECRETS.has(secret)) {
    throw new SessionError('ERR_SESSION_CONFIG', `secret #${index} is a sample secret from documentation; generate a random one`);
  }
  return bytes;
}
