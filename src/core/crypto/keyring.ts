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

const GENERATE = `node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`;

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
      `secret #${index} must be at least ${MIN_SECRET_BYTES} bytes; got ${bytes.length}. Generate one with: ${GENERATE}`,
    );
  }
  if (typeof secret === 'string' && SAMPLE_SECRETS.has(secret)) {
    throw new SessionError('ERR_SESSION_CONFIG', `secret #${index} is a sample secret from documentation; generate a random one`);
  }
  const weakness = patternIn(bytes);
  if (weakness !== undefined) {
    throw new SessionError('ERR_SESSION_CONFIG', `secret #${index} ${weakness}, so it is far weaker than its length; generate a random one (${GENERATE})`);
  }
  return bytes;
}

/** Fewer distinct bytes than this is no random secret: 32 random hex digits show 14 on average, and 6 or fewer less than once in a billion draws. */
const MIN_DISTINCT_BYTES = 7;

/**
 * What makes a long secret guessable at a glance, or undefined. A repetition adds no secrecy, so a
 * unit shorter than MIN_SECRET_BYTES written at least twice over counts as that unit.
 */
function patternIn(bytes: Buffer): string | undefined {
  const distinct = new Set(bytes).size;
  if (distinct < MIN_DISTINCT_BYTES) return `uses only ${distinct} distinct characters`;
  for (let period = 1; period < MIN_SECRET_BYTES && period * 2 <= bytes.length; period++) {
    let repeats = true;
    for (let i = period; i < bytes.length && repeats; i++) repeats = bytes[i] === bytes[i - period];
    if (repeats) return `repeats a ${period}-byte pattern`;
  }
  return undefined;
}
