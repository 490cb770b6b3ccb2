import { timingSafeEqual } from 'node:crypto';
import { hmacSha256 } from './hmac-sha256.js';
import type { Keyring } from './keyring.js';
import { SESSION_ID_LENGTH, isSessionId } from './random.js';

/** Length of the base64url HMAC-SHA-256 tag. */
const TAG_LENGTH = 43;
/** A signed value: the ID, a dot, the tag. */
export const SIGNED_ID_LENGTH = SESSION_ID_LENGTH + 1 + TAG_LENGTH;

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

/** HMAC-SHA-256 over the ID with keys derived from the keyring; the first key signs, all verify. */
export function createIdSigner(keyring: Keyring): IdSigner {
  const macs = keyring.derive('cookie-signature').map(hmacSha256);
  const current = macs[0]!;
  return {
    sign(id) {
      return `${id}.${current.text(id)}`;
    },
    verify(signed) {
      if (typeof signed !== 'string' || signed.length !== SIGNED_ID_LENGTH || signed.charCodeAt(SESSION_ID_LENGTH) !== 46) return null;
      const id = signed.slice(0, SESSION_ID_LENGTH);
      if (!isSessionId(id)) return null;
      // Compare the canonical base64url text of the expected tag with the given text: a
      // non-canonical alias of the right bytes never matches, and nothing is decoded.
      const given = Buffer.from(signed.slice(SESSION_ID_LENGTH + 1), 'utf8');
      if (given.length !== TAG_LENGTH) return null;
      for (let i = 0; i < macs.length; i++) {
        const expected = Buffer.from(macs[i]!.text(id), 'latin1');
        if (timingSafeEqual(expected, given)) return { id, stale: i > 0 };
      }
      return null;
    },
  };
}
