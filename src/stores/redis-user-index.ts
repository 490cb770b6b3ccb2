// RedisStore's per-user index on Redis Cluster: a sorted set per user, on its own slot, of the
// store keys of that user's records (each on the slot of its own key). Nothing here runs a
// command over more than one key or more than one batch of members, so no call holds Redis for
// long whatever the number of sessions; records are checked one by one (one short script each)
// and entries found stale are removed as they are met.
import type { StoredSession } from '../index.js';
import type { RedisCommandClient } from './redis-clients.js';
import { decodeStored, ownerOf } from './redis-record.js';
import { DELETE_OWNED, PRUNE, READ, runScript } from './redis-scripts.js';
import { integer, text } from './redis-replies.js';

/** Members per ZSCAN call, and so records checked at once: each call stays well under a millisecond. */
export const INDEX_BATCH = 100;

/**
 * An entry whose record is missing or not the user's is removed only if it was (re)indexed more
 * than this long ago: a login writes the entry first and its record a round trip later, and an
 * entry seen in between must survive. Far above any store timeout.
 */
export const INDEX_GRACE_MS = 60_000;

/** Where the index and the records live. */
export interface IndexKeys {
  client: RedisCommandClient;
  /** The user's sorted set. */
  setKey: string;
  /** Prefix of record keys: the record of store key k is `recordPrefix + k`. */
  recordPrefix: string;
  /** The user's owner tag, as in the records' headers. */
  tag: string;
}

/** The members of a sorted set in batches (ZSCAN), each member once. */
async function* members(client: RedisCommandClient, setKey: string): AsyncGenerator<string[]> {
  const seen = new Set<string>();
  let cursor = '0';
  do {
    const reply = await client.sendCommand(['ZSCAN', setKey, cursor, 'COUNT', String(INDEX_BATCH)]);
    if (!Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[1])) throw new Error('unexpected reply to Redis ZSCAN');
    cursor = text(reply[0], 'ZSCAN') ?? '0';
    const batch: string[] = [];
    const flat = reply[1] as unknown[];
    for (let i = 0; i < flat.length; i += 2) {
      const member = text(flat[i], 'ZSCAN');
      if (member === undefined || seen.has(member)) continue;
      seen.add(member);
      batch.push(member);
    }
    if (batch.length > 0) yield batch;
  } while (cursor !== '0');
}

async function prune(index: IndexKeys, stale: string[]): Promise<void> {
  if (stale.length > 0) await runScript(index.client, PRUNE, index.setKey, [String(INDEX_GRACE_MS), ...stale]);
}

/** The user's live records; prunes entries whose record is gone or belongs to someone else. */
export async function listIndexed(index: IndexKeys): Promise<StoredSession[]> {
  const sessions: StoredSession[] = [];
  for await (const batch of members(index.client, index.setKey)) {
    const replies = await Promise.all(batch.map((key) => runScript(index.client, READ, index.recordPrefix + key, [])));
    const stale: string[] = [];
    batch.forEach((key, i) => {
      const reply = replies[i];
      if (!Array.isArray(reply) || reply.length !== 2) throw new Error('unexpected reply to the RedisStore read script');
      const stored = text(reply[0], 'read script') ?? '';
      const expiresAt = integer(reply[1], 'read script');
      if (ownerOf(stored) !== index.tag || expiresAt === -2) stale.push(key);
      // A record that lost its expiry (PERSIST by hand) is not a live session, nor stale.
      else if (expiresAt >= 0) sessions.push({ key, value: decodeStored(stored), expiresAt });
    });
    await prune(index, stale);
  }
  return sessions;
}

/** Deletes the user's records but `keep`, batch by batch; returns the deleted keys. */
export async function deleteIndexed(index: IndexKeys, keep: ReadonlySet<string>): Promise<string[]> {
  const deleted: string[] = [];
  for await (const batch of members(index.client, index.setKey)) {
    const targets = batch.filter((key) => !keep.has(key));
    const replies = await Promise.all(targets.map((key) => runScript(index.client, DELETE_OWNED, index.recordPrefix + key, [index.tag])));
    const gone = targets.filter((_, i) => integer(replies[i], 'delete script') === 1);
    const stale = targets.filter((_, i) => integer(replies[i], 'delete script') !== 1);
    if (gone.length > 0) await index.client.sendCommand(['ZREM', index.setKey, ...gone]);
    await prune(index, stale);
    deleted.push(...gone);
  }
  return deleted;
}
