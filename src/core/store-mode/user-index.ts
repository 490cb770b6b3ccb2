import { hashStoreKey } from '../crypto/random.js';
import { decodeRecord } from './record.js';
import type { SessionRecord } from './record.js';
import type { StoreCaller } from '../store-caller.js';

/** One of a user's sessions, as a "your devices" page shows it. Carries a handle, never the session ID. */
export interface SessionInfo {
  /** Opaque and stable; pass it to `revokeSession`. It cannot be turned into a cookie. */
  handle: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  userAgent?: string;
  ip?: string;
  /** True for the session of the request that asked. */
  current: boolean;
}

const handleOf = (storeKey: string): string => hashStoreKey(`handle:${storeKey}`).slice(0, 22);

export async function listUserSessions(
  caller: StoreCaller,
  userId: string,
  currentKey: string | undefined,
  expiryOf: (record: SessionRecord) => number,
): Promise<SessionInfo[]> {
  const stored = await caller.listByUser(userId);
  const sessions: SessionInfo[] = [];
  for (const { key, value } of stored) {
    const record = decodeRecord(value);
    if (record === undefined || record.userId !== userId) continue;
    const info: SessionInfo = {
      handle: handleOf(key),
      createdAt: record.createdAt,
      lastSeenAt: record.lastSeenAt,
      expiresAt: expiryOf(record),
      current: key === currentKey,
    };
    if (record.client?.userAgent !== undefined) info.userAgent = record.client.userAgent;
    if (record.client?.ip !== undefined) info.ip = record.client.ip;
    sessions.push(info);
  }
  return sessions.sort((a, b) => b.lastSeenAt - a.lastSeenAt);
}

export async function revokeUserSession(caller: StoreCaller, userId: string, handle: string): Promise<boolean> {
  const stored = await caller.listByUser(userId);
  const match = stored.find(({ key }) => handleOf(key) === handle);
  if (match === undefined) return false;
  await caller.delete(match.key);
  return true;
}

export function revokeUserSessions(caller: StoreCaller, userId: string, exceptKey: string | undefined): Promise<number> {
  return caller.deleteByUser(userId, exceptKey === undefined ? [] : [exceptKey]);
}
