import { createHmac } from 'node:crypto';
import { SessionError } from '../errors.js';
import type { StoreCaller } from '../store-caller.js';
import { decodeForward } from './record.js';

// A logout must not miss a regenerate() of the same session running in another request. The
// regenerate moves the record to a fresh random ID that the logout cannot derive, so the two meet
// on a marker beside the loaded record, written with compare-and-set only:
// - the regenerate, after creating the new record, adds its key to the marker; if the marker
//   says "ended", it removes the new record again (the session was destroyed meanwhile);
// - the destroy sets the marker to "ended" and removes every successor it lists.
// Whichever comes first on the marker, the other sees it, so a logout racing a login in another
// tab never leaves the logged-in copy alive; two regenerates at once (a double-clicked login)
// both join and both survive. The marker has no owner (it is in no per-user index) and expires.
// A store without compare-and-set (an express-session store through tessera-session/connect)
// gets no marker: last write wins there, so it would protect nothing and only add foreign keys.

/**
 * How long a marker lives. It must outlive a regenerate's commit from its check that the loaded
 * record exists to its join (one commit, bounded by `storeTimeout`), and a logout must commit
 * within it after the regenerate's join: a logout whose handler ran for over a minute after the
 * regenerate committed (or a store without a timeout that hangs that long) escapes it.
 */
export const SUCCESSION_TTL_MS = 60_000;

/** A marker: the successor keys joined so far, and whether a destroy ended the succession. */
interface Marker {
  keys: string[];
  ended: boolean;
}

const PREFIX = '{"v":1,"succession":';

/** The marker a store value holds; a value that is not a marker counts as ended, with no keys. */
function decodeMarker(text: string | undefined): Marker {
  if (text === undefined) return { keys: [], ended: false };
  try {
    const raw = text.startsWith(PREFIX) ? (JSON.parse(text) as { succession: unknown; ended?: unknown }) : undefined;
    const keys = raw?.succession;
    if (Array.isArray(keys) && keys.every((key) => typeof key === 'string')) return { keys, ended: raw!.ended === true };
  } catch {
    // not JSON: ended, below
  }
  return { keys: [], ended: true };
}

const encodeMarker = (marker: Marker): string => `${PREFIX}${JSON.stringify(marker.keys)}${marker.ended ? ',"ended":true' : ''}}`;

/**
 * Sets the marker to `next(current)` with compare-and-set, re-reading on a conflict a bounded
 * number of times; `next` returns undefined to leave it as it is. Returns the marker it acted on.
 */
async function updateMarker(caller: StoreCaller, markerKey: string, now: number, maxRetries: number, next: (marker: Marker) => Marker | undefined): Promise<Marker> {
  let current: string | undefined;
  for (let attempt = 0; ; attempt++) {
    const marker = decodeMarker(current);
    const updated = next(marker);
    if (updated === undefined || (await caller.setIf(markerKey, encodeMarker(updated), now + SUCCESSION_TTL_MS, current))) return marker;
    if (attempt >= maxRetries) throw new SessionError('ERR_SESSION_CONFLICT', `the session kept changing while its ID changed or it ended; gave up after ${maxRetries + 1} attempts`);
    current = await caller.get(markerKey);
  }
}

/** The succession of store mode's records, its marker keys derived with `secret`. */
export interface Succession {
  /** The marker's store key for the record loaded from `loadedKey`: an HMAC, so no cookie names it. */
  markerOf(loadedKey: string): string;
  /**
   * Whether the session loaded from `loadedKey` still lives: its record is there (or its
   * renewal's forward, to a record that is there), or a regenerate that joined its marker moved
   * it and that record (other than `ownKey`) is there (a double-clicked login: the other click
   * deleted the loaded record). An ended marker, or a record gone with no live successor, means
   * the session was destroyed or revoked meanwhile.
   */
  lives(caller: StoreCaller, loadedKey: string, ownKey?: string): Promise<boolean>;
  /** The keys the regenerates of the record loaded from `loadedKey` joined so far: a double-clicked login's twins. */
  successors(caller: StoreCaller, loadedKey: string): Promise<string[]>;
  /**
   * A regenerate's side, once its new record exists under `successorKey`: adds that key to the
   * marker. False when the session ended meanwhile: a destroy ended the marker, or the lineage no
   * longer lives (`lives`: a `revokeSessions` or `revokeSession` deleted the loaded record).
   * Then, and when the join fails, the new record is deleted here: it must not outlive the
   * session, nor be left behind by an error.
   */
  join(caller: StoreCaller, loadedKey: string, successorKey: string, now: number): Promise<boolean>;
  /**
   * A destroy's side (a logout, a revoke): marks the loaded record's succession ended and deletes
   * every successor it lists. The ended marker keeps the list, so a destroy retried after a
   * failure deletes them too.
   */
  end(caller: StoreCaller, loadedKey: string, now: number): Promise<void>;
}

/** The succession of records whose markers are keyed with `secret`; a marker update tries `maxRetries` + 1 times at most. */
export function createSuccession(secret: Buffer, maxRetries: number): Succession {
  const markerOf = (loadedKey: string): string => createHmac('sha256', secret).update(`succession:${loadedKey}`).digest('base64url');
  async function lives(caller: StoreCaller, loadedKey: string, ownKey?: string): Promise<boolean> {
    const text = await caller.get(loadedKey);
    // A renewal's forward (record.ts) lives only as long as the record it leads to: once that
    // one is revoked or logged out, a forward left behind must not keep the session alive.
    const forward = text === undefined ? undefined : decodeForward(text);
    if (text !== undefined && (forward === undefined || (await caller.get(forward.key)) !== undefined)) return true;
    if (caller.store.setIf === undefined) return false;
    const marker = decodeMarker(await caller.get(markerOf(loadedKey)));
    if (marker.ended) return false;
    for (const key of marker.keys) if (key !== ownKey && (await caller.get(key)) !== undefined) return true;
    return false;
  }
  return {
    markerOf,
    lives,
    async successors(caller, loadedKey) {
      return caller.store.setIf === undefined ? [] : decodeMarker(await caller.get(markerOf(loadedKey))).keys;
    },
    async join(caller, loadedKey, successorKey, now) {
      if (caller.store.setIf === undefined) return true;
      let joined: boolean;
      try {
        const before = await updateMarker(caller, markerOf(loadedKey), now, maxRetries, (m) => (m.ended ? undefined : { keys: [...m.keys, successorKey], ended: false }));
        joined = !before.ended && (await lives(caller, loadedKey, successorKey));
      } catch (error) {
        await caller.delete(successorKey).catch(() => {});
        throw error;
      }
      if (!joined) await caller.delete(successorKey);
      return joined;
    },
    async end(caller, loadedKey, now) {
      if (caller.store.setIf === undefined) return;
      const marker = await updateMarker(caller, markerOf(loadedKey), now, maxRetries, (m) => (m.ended ? undefined : { keys: m.keys, ended: true }));
      for (const key of marker.keys) await caller.delete(key);
    },
  };
}
