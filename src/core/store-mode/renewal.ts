import { createHmac } from 'node:crypto';

/**
 * The ID a session is renewed to: an HMAC of the old ID and the time it was issued. Every request
 * that renews the same ID at once derives the same new one, so parallel renewals meet on one
 * record instead of splitting the session; without the server's key it is as unguessable as a
 * random ID (256 bits).
 */
export function deriveRenewedId(key: Buffer, oldId: string, idIssuedAt: number): string {
  return createHmac('sha256', key).update(`${oldId}.${idIssuedAt}`).digest('base64url');
}
