import { hashStoreKey } from '../crypto/random.js';
import { SessionError } from '../errors.js';
import type { ExpiryRules } from '../policy.js';
import { expiryOf } from '../policy.js';
import type { StoreCaller } from '../store-caller.js';
import type { SessionInfo } from '../types.js';
import { decodeRecord } from './record.js';
import type { SessionRecord } from './record.js';

// "Your devices": a user's sessions through the store's per-user index, named by handles, never
// by session IDs. A handle is a hash of the store key the session was created under: a renewal
// (`renewAfter`) moves the record to a new key and keeps its handle in the record, so a devices
// page listed before the renewal still revokes the session after it.

/** The handle of a record first stored under `storeKey`. */
export const handleOf = (storeKey: string): string => hashStoreKey(`handle:${storeKey}`).slice(0, 22);

/** The handle of the record under `key` (a renewed record keeps its first one). */
const handleAt = (key: string, record: SessionRecord | undefined): string => record?.handle ?? handleOf(key);

export async function listUserSessions(caller: StoreCaller, rules: ExpiryRules, userId: string, currentKey: string | undefined): Promise<SessionInfo[]> {
  const stored = await caller.listByUser(userId);
  const sessions: SessionInfo[] = [];
  for (const { key, value } of stored) {
    const record = decodeRecord(value);
    if (record === undefined || record.userId !== userId) continue;
    const info: SessionInfo = { handle: handleAt(key, record), createdAt: record.createdAt, lastSeenAt: record.lastSeenAt, expiresAt: expiryOf(rules, record), current: key === currentKey };
    if (record.client?.userAgent !== undefined) info.userAgent = record.client.userAgent;
    if (record.client?.ip !== undefined) info.ip = record.client.ip;
    if (record.binding !== undefined) info.bound = true;
    sessions.push(info);
  }
  return sessions.sort((a, b) => b.lastSeenAt - a.lastSeenAt);
}

/**
 * Ends the session of `userId` that `handle` names: its record, and a renewal's forward the index
 * still lists; true when a record was there. `end` runs first with each record's store key: it
 * ends the record's succession, so a regenerate of that session in flight cannot keep it alive
 * under a new ID (succession.ts), as for a logout.
 */
export async function revokeUserSession(caller: StoreCaller, userId: string, handle: string, end: (key: string) => Promise<void>): Promise<boolean> {
  let found = false;
  for (const { key, value } of await caller.listByUser(userId)) {
    const record = decodeRecord(value);
    // A record that has moved to another user since (the index is pruned lazily) is not theirs to end.
    if (handleAt(key, record) !== handle || (record !== undefined && record.userId !== userId)) continue;
    if (record !== undefined) await end(key);
    await caller.delete(key);
    found ||= record !== undefined;
  }
  return found;
}

/**
 * Ends every session of `userId` but the one under `keepKey`. When that one was read from the
 * cookie cache, it is first checked in the store: a cached copy can outlive its session, and an
 * ended session must not log the user's others out.
 */
export async function revokeOtherSessions(caller: StoreCaller, userId: string, keepKey: string | undefined, keptFromCache: boolean): Promise<number> {
  if (keepKey !== undefined && keptFromCache && (await caller.get(keepKey)) === undefined) {
    throw new SessionError('ERR_SESSION_NOT_LOADED', 'the session given as { except } has ended (its copy came from the cookie cache): nothing was revoked');
  }
  const except = keepKey === undefined ? [] : [keepKey];
  // Twice: an SQL store deletes the rows its statement saw when it began, and a regenerate that
  // read the loaded record before that delete committed may have created its new record (under
  // this user) meanwhile. It did so before its check, so the second pass, which starts after the
  // first committed, sees it (1 of 250 trials kept one alive on PostgreSQL with one pass).
  return (await caller.deleteByUser(userId, except)) + (await caller.deleteByUser(userId, except));
}

/**
 * `maxSessionsPerUser`, after a commit made the session under `ownKeys[0]` one of `userId`'s:
 * ranks the user's live sessions by last use (the most recent first, ties by key, so that every
 * request ranks alike) and ends those past the first `max` through `end`, as a revoke does.
 * `ownKeys` are the login's own records: its key, then a double-clicked login's twins (the other
 * regenerates of the same loaded session), which count once with it and never end here. Two
 * logins racing never both end: each ranks alike, so at most the one ranked lower ends, and both
 * may stay (one over the limit until the next login). Returns how many ended.
 */
export async function evictBeyond(caller: StoreCaller, rules: ExpiryRules, userId: string, ownKeys: readonly string[], max: number, now: number, end: (key: string) => Promise<void>): Promise<number> {
  const [ownKey] = ownKeys;
  const ranked: Array<{ key: string; lastSeenAt: number }> = [{ key: ownKey!, lastSeenAt: now }];
  for (const { key, value } of await caller.listByUser(userId)) {
    const record = decodeRecord(value);
    if (ownKeys.includes(key) || record === undefined || record.userId !== userId || expiryOf(rules, record) <= now) continue;
    ranked.push({ key, lastSeenAt: record.lastSeenAt });
  }
  ranked.sort((a, b) => b.lastSeenAt - a.lastSeenAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let ended = 0;
  for (const { key } of ranked.slice(max)) {
    if (key === ownKey) continue;
    await end(key);
    await caller.delete(key);
    ended++;
  }
  return ended;
}
