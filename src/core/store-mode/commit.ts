import { SessionError } from '../errors.js';
import { decodeForward, decodeRecord, encodeRecord } from './record.js';
import type { SessionRecord } from './record.js';
import { isStoreTimeout } from '../store-caller.js';
import type { StoreCaller } from '../store-caller.js';

export interface CommitRecordInput {
  caller: StoreCaller;
  key: string;
  record: SessionRecord;
  /** The value loaded at the start of the request; undefined for a new record. */
  previous: string | undefined;
  /** The record this request's changes are relative to, when it differs from `previous` (a renewal). */
  baseline?: string | undefined;
  /** A brand-new record under a fresh ID. */
  create: boolean;
  expiresAt: number;
  maxRecordBytes: number;
  maxRetries: number;
  updaters: ReadonlyMap<string, ReadonlyArray<(value: unknown) => unknown>>;
  userIdOf: (data: Record<string, unknown>) => string | undefined;
  now: number;
  onConflict: () => void;
}

export interface CommittedRecord {
  text: string;
  record: SessionRecord;
  /** The store key written: `input.key`, or the key a renewal forward led to. */
  key: string;
}

export function encodeChecked(record: SessionRecord, maxRecordBytes: number): string {
  const text = encodeRecord(record);
  if (text.length > maxRecordBytes / 3 && Buffer.byteLength(text) > maxRecordBytes) {
    throw new SessionError('ERR_SESSION_TOO_LARGE', `the session record is ${Buffer.byteLength(text)} bytes, over maxRecordBytes (${maxRecordBytes}); keep large data elsewhere and store its ID in the session`);
  }
  return text;
}

const latest = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined ? b : b === undefined ? a : Math.max(a, b));

const same = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b);

/**
 * Re-applies this request's own changes (keys whose encoding differs from the loaded baseline,
 * and `update()` functions) onto the record another request wrote meanwhile.
 */
export function mergeRecord(
  baseline: SessionRecord | undefined,
  ours: SessionRecord,
  theirs: SessionRecord,
  updaters: CommitRecordInput['updaters'],
  now: number,
): SessionRecord {
  const data = Object.assign(Object.create(null) as Record<string, unknown>, theirs.data);
  const base = baseline?.data ?? (Object.create(null) as Record<string, unknown>);
  const keys = new Set([...Object.keys(base), ...Object.keys(ours.data)]);
  for (const key of keys) {
    const fns = updaters.get(key);
    if (fns !== undefined) {
      let value: unknown = Object.hasOwn(theirs.data, key) ? theirs.data[key] : undefined;
      for (const fn of fns) value = fn(value);
      if (value === undefined) delete data[key];
      else data[key] = value;
      continue;
    }
    const mine = Object.hasOwn(ours.data, key) ? ours.data[key] : undefined;
    const was = Object.hasOwn(base, key) ? base[key] : undefined;
    if (same(mine, was)) continue;
    if (mine === undefined) delete data[key];
    else data[key] = mine;
  }
  return {
    createdAt: theirs.createdAt,
    lastSeenAt: Math.max(now, theirs.lastSeenAt),
    persistent: baseline !== undefined && ours.persistent === baseline.persistent ? theirs.persistent : ours.persistent,
    userId: undefined,
    client: ours.client ?? theirs.client,
    idIssuedAt: latest(ours.idIssuedAt, theirs.idIssuedAt),
    data,
    // Only the DBSC endpoints change a binding: the stored one always wins.
    binding: theirs.binding,
    // A renewed record's handle (record.ts), whichever side has it: both sides derive the same one.
    handle: theirs.handle ?? ours.handle,
  };
}

/** Full-jitter exponential backoff: up to 1, 2, 4 ... ms, capped at 100 ms, so racing writers spread out. */
const pause = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 100)));

interface KeyQueue {
  /** Settles when the last queued commit of this key is done. */
  tail: Promise<void>;
  /** The value this process last wrote under the key while commits were queued. */
  lastText: string | undefined;
  /** When a commit of the queue last ran out of time (epoch ms): the commits queued before then fail at once. */
  stuckAt: number;
}

/**
 * Commits of one session in one process run one at a time: parallel requests of a visitor then
 * never race each other's compare-and-set, and a queued commit merges onto the value the one
 * before it wrote without a doomed round trip. Across processes, compare-and-set still decides.
 * When a commit times out (the store is not answering), the commits queued behind it fail at once
 * instead of one timeout after another; a queue that moves is waited for, and each commit then
 * has a full storeTimeout for its own calls (`caller.turn`).
 */
const queues = new WeakMap<object, Map<string, KeyQueue>>();

export async function serialized<T>(caller: StoreCaller, key: string, run: (queue: KeyQueue) => Promise<T>): Promise<T> {
  let byKey = queues.get(caller.store);
  if (byKey === undefined) queues.set(caller.store, (byKey = new Map()));
  const waiting = byKey.get(key);
  // No commit of this session in flight (the common case): no turn to wait for, and no queue ahead that can be stuck.
  const queuedAt = waiting === undefined ? 0 : Date.now();
  const before = waiting?.tail;
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = before === undefined ? mine : before.then(() => mine);
  const queue = waiting ?? { tail, lastText: undefined, stuckAt: 0 };
  queue.tail = tail;
  if (waiting === undefined) byKey.set(key, queue);
  try {
    if (before !== undefined) {
      await caller.turn(before);
      if (queue.stuckAt >= queuedAt) throw new SessionError('ERR_SESSION_STORE', 'session store commit: the commit of this session ahead of it timed out');
    }
    return await run(queue);
  } catch (error) {
    if (isStoreTimeout(error)) queue.stuckAt = Date.now();
    throw error;
  } finally {
    release();
    if (queue.tail === tail) byKey.delete(key);
  }
}

/**
 * Writes a record with compare-and-set against the loaded value; on a conflict it re-reads,
 * merges this request's own changes onto the fresh record and tries again, a bounded number of
 * times. Returns undefined when the record was deleted meanwhile (it is never re-created).
 */
export async function commitRecord(input: CommitRecordInput): Promise<CommittedRecord | undefined> {
  const { caller, key, expiresAt, maxRecordBytes } = input;
  const record = input.record;
  if (input.create) {
    const text = encodeChecked(record, maxRecordBytes);
    await caller.set(key, text, expiresAt, { userId: input.userIdOf(record.data) });
    return { text, record, key };
  }
  return serialized(caller, key, async (queue) => {
    const result = await compareAndSet(input, queue.lastText);
    queue.lastText = result?.text;
    return result;
  });
}

export async function compareAndSet(input: CommitRecordInput, knownText: string | undefined): Promise<CommittedRecord | undefined> {
  const { caller, expiresAt, maxRecordBytes } = input;
  let key = input.key;
  let record = input.record;
  let previous = input.previous;
  // This request's changes are always measured against what it loaded, never against a record
  // another request wrote meanwhile: a key it set is re-applied even if someone wrote the same value.
  const baselineText = input.baseline ?? previous;
  // Decoded only if a merge is needed: most commits meet no conflict.
  let baseline: SessionRecord | undefined;
  const ours = input.record;
  const rebase = (current: string, theirs: SessionRecord): void => {
    if (baseline === undefined && baselineText !== undefined) baseline = decodeRecord(baselineText);
    record = mergeRecord(baseline, ours, theirs, input.updaters, input.now);
    record.userId = input.userIdOf(record.data);
    previous = current;
  };
  // A commit queued behind another of this process starts from what that one wrote.
  const known = knownText !== undefined && knownText !== previous ? decodeRecord(knownText) : undefined;
  if (known !== undefined) rebase(knownText!, known);
  for (let attempt = 0; ; attempt++) {
    const text = encodeChecked(record, maxRecordBytes);
    const written = await caller.setIf(key, text, expiresAt, previous, { userId: record.userId ?? input.userIdOf(record.data) });
    if (written) return { text, record, key };
    if (attempt >= input.maxRetries) {
      throw new SessionError('ERR_SESSION_CONFLICT', `the session kept changing under this request; gave up after ${input.maxRetries + 1} attempts`);
    }
    input.onConflict();
    if (attempt > 0) await pause(attempt);
    let current = await caller.get(key);
    const forward = current === undefined ? undefined : decodeForward(current);
    if (forward !== undefined) {
      // The ID was renewed meanwhile: the live record is under the forward's key.
      key = forward.key;
      current = await caller.get(key);
    }
    const theirs = current === undefined ? undefined : decodeRecord(current);
    if (theirs === undefined) return undefined;
    rebase(current!, theirs);
  }
}
