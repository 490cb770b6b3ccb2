import { hash } from 'node:crypto';
import { sameText } from '../shared/mac.js';
import type { Keyring } from './keyring.js';
import { SESSION_ID_LENGTH, isSessionId } from './random.js';

/** A signed value: the ID, a dot, the base64url HMAC-SHA-256 tag (43 characters). */
export const SIGNED_ID_LENGTH = SESSION_ID_LENGTH + 1 + 43;

/** The result of verifying a signed ID. `stale`: an older key matched, so re-issue the cookie. */
export interface VerifiedId {
  id: string;
  stale: boolean;
}

/** Signs session IDs for the cookie and verifies them in constant time. */
export interface IdSigner {
  sign(id: string): string;
  /** The ID, or null for anything forged, garbled or of the wrong shape. Never throws. */
  verify(signed: string): VerifiedId | null;
}

/**
 * HMAC-SHA-256 (RFC 2104) of a session ID (43 ASCII characters) under a 32-byte key, base64url: two
 * one-shot `crypto.hash` calls over pads XORed once. Under callgrind 19.6 k instructions a tag,
 * against 23.9 k for `createHmac` over a KeyObject (an Hmac object per call).
 */
function idMac(key: Buffer): (id: string) => string {
  const inner = Buffer.alloc(64 + SESSION_ID_LENGTH, 0x36);
  const outer = Buffer.alloc(64 + 32, 0x5c);
  for (let i = 0; i < key.length; i++) [inner[i], outer[i]] = [inner[i]! ^ key[i]!, outer[i]! ^ key[i]!];
  return (id) => {
    inner.write(id, 64, 'latin1');
    outer.set(hash('sha256', inner, 'buffer') as unknown as Buffer, 64);
    return hash('sha256', outer, 'base64url');
  };
}

/** HMAC-SHA-256 over the ID with keys derived from the keyring; the first key signs, all verify. */
export function createIdSigner(keyring: Keyring): IdSigner {
  const macs = keyring.derive('cookie-signature').map(idMac);
  return {
    sign: (id) => `${id}.${macs[0]!(id)}`,
    verify(signed) {
      if (typeof signed !== 'string' || signed.length !== SIGNED_ID_LENGTH || signed.charCodeAt(SESSION_ID_LENGTH) !== 46) return null;
      const id = signed.slice(0, SESSION_ID_LENGTH);
      if (!isSessionId(id)) return null;
      // The canonical text of the expected tag against the given text: no alias of the right bytes matches.
      const tag = signed.slice(SESSION_ID_LENGTH + 1);
      for (let i = 0; i < macs.length; i++) if (sameText(macs[i]!(id), tag)) return { id, stale: i > 0 };
      return null;
    },
  };
}

/**
 * The one session ID the cookie values name (a stale signature counts only when no current one
 * does), or why there is none: no cookie, none verifies, or two name different sessions.
 */
export function pickSignedId(signer: IdSigner, values: readonly string[]): VerifiedId | 'invalid_cookie' | 'duplicate_cookie' | undefined {
  if (values.length === 0) return undefined;
  let chosen: VerifiedId | undefined;
  for (const value of values) {
    const verified = signer.verify(value);
    if (verified === null) continue;
    if (chosen !== undefined && chosen.id !== verified.id) return 'duplicate_cookie';
    chosen = chosen === undefined || chosen.stale ? verified : chosen;
  }
  return chosen ?? 'invalid_cookie';
}
