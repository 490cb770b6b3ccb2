import { createHmac } from 'node:crypto';
import { SessionError } from '../errors.js';
import type { StoreCaller } from '../store-caller.js';

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
 * record exists to its join (both inside one commit, bounded by `storeTimeout`), so a minute is
 * ample; only a store without a timeout (`storeTimeout: 0`) that hangs longer escapes it.
 */
export const SUCCESSION_TTL_MS = 60_000;

const ENDED = '{"v":1,"succession":"ended"}';
const PREFIX = '{"v":1,"succession":';

/** The marker's store key for the record loaded from `loadedKey`: an HMAC, so no cookie names it. */
export function successionKey(key: Buffer, loadedKey: string): string {
  return createHmac('sha256', key).update(`succession:${loadedKey}`).digest('base64url');
}

/** The successor keys a marker lists, or `'ended'` (a value that is not a list counts as ended). */
function decodeMarker(text: string): string[] | 'ended' {
  if (!text.startsWith(PREFIX) || text === ENDED) return 'ended';
  try {
    const list = (JSON.parse(text) as { succession: unknown }).succession;
    return Array.isArray(list) && list.every((key) => typeof key === 'string') ? list : 'ended';
  } catch {
    return 'ended';
  }
}

const encodeMarker = (keys: readonly string[]): string => `${PREFIX}${JSON.stringify(keys)}}`;

/**
 * A regenerate's side: adds `successorKey` to the marker. False when the session was destroyed
 * meanwhile (the marker says ended): the caller removes its new record.
 */
export async function joinSuccession(caller: StoreCaller, markerKey: string, successorKey: string, now: number, maxRetries: number): Promise<boolean> {
  if (caller.store.setIf === undefined) return true;
  let current: string | undefined;
  for (let attempt = 0; ; attempt++) {
    const listed = current === undefined ? [] : decodeMarker(current);
    if (listed === 'ended') return false;
    if (await caller.setIf(markerKey, encodeMarker([...listed, successorKey]), now + SUCCESSION_TTL_MS, current)) return true;
    if (attempt >= maxRetries) throw new SessionError('ERR_SESSION_CONFLICT', `the session kept changing during its regeneration; gave up after ${maxRetries + 1} attempts`);
    current = await caller.get(markerKey);
  }
}

/** A destroy's side: marks the loaded record's succession ended and removes every successor it listed. */
export async function endSuccession(caller: StoreCaller, markerKey: string, now: number, maxRetries: number): Promise<void> {
  if (caller.store.setIf === undefined) return;
  let current: string | undefined;
  for (let attempt = 0; ; attempt++) {
    const listed = current === undefined ? [] : decodeMarker(current);
    if (listed === 'ended') return;
    if (await caller.setIf(markerKey, ENDED, now + SUCCESSION_TTL_MS, current)) {
      for (const key of listed) await caller.delete(key);
      return;
    }
    if (attempt >= maxRetries) throw new SessionError('ERR_SESSION_CONFLICT', `the session kept changing during its destruction; gave up after ${maxRetries + 1} attempts`);
    current = await caller.get(markerKey);
  }
}
