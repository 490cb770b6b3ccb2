import { createHmac } from 'node:crypto';
import { SessionError } from '../errors.js';
import { compareAndSet, encodeChecked, serialized } from './commit.js';
import type { CommitRecordInput, CommittedRecord } from './commit.js';
import { decodeForward, decodeRecord, encodeForward } from './record.js';

// Periodic ID renewal (`renewAfter`), in one place: the renewed ID and the commit that moves the
// record, leaving a forward (record.ts) under the old ID.

/**
 * The ID a session is renewed to: an HMAC of the old ID and the time it was issued. Every request
 * that renews the same ID at once derives the same new one, so parallel renewals meet on one
 * record instead of splitting the session; without the server's key it is as unguessable as a
 * random ID (256 bits).
 */
export function deriveRenewedId(key: Buffer, oldId: string, idIssuedAt: number): string {
  return createHmac('sha256', key).update(`${oldId}.${idIssuedAt}`).digest('base64url');
}

export interface RenewRecordInput extends CommitRecordInput {
  /** The old ID's store key, which becomes a forward to `key` until `graceUntil`. */
  oldKey: string;
  graceUntil: number;
}

/**
 * Renews a session's ID: the record moves to the new key (`input.key`, the same for every request
 * renewing the same ID, so racing renewals meet there) and the old record becomes a forward,
 * frozen with compare-and-set so no write to it is lost. A destroy that races the renewal wins:
 * the new record is then removed, never left alive.
 */
export async function renewRecord(input: RenewRecordInput): Promise<CommittedRecord | undefined> {
  const { caller, oldKey } = input;
  const previousOld = input.previous;
  // Only the request that creates the new record freezes the old one; the others merge into it.
  let created = false;
  const createdFirst = { ...input, previous: undefined, baseline: previousOld };
  let committed = await serialized(caller, input.key, async () => {
    const text = encodeChecked(input.record, input.maxRecordBytes);
    if (await caller.setIf(input.key, text, input.expiresAt, undefined, { userId: input.userIdOf(input.record.data) })) {
      created = true;
      return { text, record: input.record, key: input.key };
    }
    const existing = await caller.get(input.key);
    // Created and already removed again: a destroy won the race, so the session stays gone.
    if (existing === undefined) return undefined;
    return compareAndSet(createdFirst, existing);
  });
  if (committed === undefined || !created) return committed;
  const forward = encodeForward({ key: input.key, until: input.graceUntil });
  let expected = previousOld;
  for (let attempt = 0; ; attempt++) {
    if (await caller.setIf(oldKey, forward, input.graceUntil, expected)) return committed;
    const current = await caller.get(oldKey);
    if (current !== undefined && decodeForward(current) !== undefined) return committed;
    const theirs = current === undefined ? undefined : decodeRecord(current);
    if (theirs === undefined || attempt >= input.maxRetries) {
      // Destroyed meanwhile: the renewed copy this request made must not outlive it.
      await caller.delete(input.key);
      if (theirs === undefined) return undefined;
      throw new SessionError('ERR_SESSION_CONFLICT', `the session kept changing during its renewal; gave up after ${input.maxRetries + 1} attempts`);
    }
    // Another request changed the old record before the freeze: carry its changes to the new one.
    const carried = await compareAndSet(
      { ...input, record: theirs, previous: expected, baseline: expected, updaters: new Map() },
      (await caller.get(input.key)) ?? committed.text,
    );
    if (carried === undefined) return undefined;
    committed = carried;
    expected = current!;
  }
}
