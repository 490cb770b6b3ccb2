import { hashStoreKey } from '../crypto/random.js';
import type { StoreCaller } from '../store-caller.js';

/**
 * Revocation for sealed cookies, kept in any tessera store:
 * - `revoked:<userId>`: a "not before" time; a session of that user issued earlier is dead.
 * - `revoked-session:<SHA-256 of the ID>`: a destroyed (or replaced) session ID, kept until it would expire anyway.
 */
export interface Revocation {
  /** True when the session must not be used any more. A store failure throws `ERR_SESSION_STORE`. */
  isRevoked(userId: string | undefined, id: string, issuedAt: number): Promise<boolean>;
  /** Every session of `userId` issued before `notBeforeAt` dies; the entry lives until `untilAt`. Returns the time in force. */
  revokeUser(userId: string, notBeforeAt: number, untilAt: number): Promise<number>;
  /** This session ID dies; the entry lives until `untilAt`. */
  revokeSession(id: string, untilAt: number): Promise<void>;
}

const userKey = (userId: string): string => `revoked:${userId}`;
const sessionKey = (id: string): string => `revoked-session:${hashStoreKey(id)}`;

export function createRevocation(caller: StoreCaller): Revocation {
  return {
    async isRevoked(userId, id, issuedAt) {
      const [notBefore, destroyed] = await Promise.all([userId === undefined ? undefined : caller.get(userKey(userId)), caller.get(sessionKey(id))]);
      if (destroyed !== undefined) return true;
      if (notBefore === undefined) return false;
      const at = Number(notBefore);
      // An unreadable entry fails closed: the session is treated as revoked.
      return !Number.isFinite(at) || issuedAt < at;
    },
    async revokeUser(userId, notBeforeAt, untilAt) {
      const current = Number(await caller.get(userKey(userId)));
      // Never move the time backwards (two servers revoking at once).
      const at = Number.isFinite(current) && current > notBeforeAt ? current : notBeforeAt;
      await caller.set(userKey(userId), String(at), untilAt);
      return at;
    },
    revokeSession: (id, untilAt) => caller.set(sessionKey(id), '1', untilAt),
  };
}
