import { SessionError } from './errors.js';
import type { SessionStatus } from './types.js';

/** The timing rules of a manager, in milliseconds (resolved from the options' seconds). */
export interface ExpiryRules {
  readonly lifetimeMs: number;
  readonly idleMs: number;
  readonly touchAfterMs: number;
}

/** The one expiry rule of tessera: the earlier of the absolute and the idle deadline (epoch ms). */
export function expiryOf(rules: ExpiryRules, times: { readonly createdAt: number; readonly lastSeenAt: number }): number {
  return Math.min(times.createdAt + rules.lifetimeMs, times.lastSeenAt + rules.idleMs);
}

/** Whether an unchanged session's idle deadline is due for a refresh. */
export function touchDue(rules: ExpiryRules, lastSeenAt: number, now: number): boolean {
  return Number.isFinite(rules.idleMs) && now - lastSeenAt >= rules.touchAfterMs;
}

/** Everything the commit decision depends on, gathered by the manager from the session and its carrier. */
export interface PlanInput {
  readonly status: SessionStatus;
  readonly id: string;
  /** The ID the session was loaded (or last committed) under; undefined for a session never stored. */
  readonly loadedId: string | undefined;
  readonly empty: boolean;
  readonly touched: boolean;
  /** The data or persistence differ from what was loaded (by encoding). */
  readonly changed: boolean;
  readonly lastSeenAt: number;
  readonly persistent: boolean;
  readonly loadedPersistent: boolean | undefined;
  /** The request's session cookie was unusable (forged, unknown, expired): clear it unless a new one is set. */
  readonly clearCookie: boolean;
  /** The cookie verified under an older key of the keyring. */
  readonly reissue: boolean;
  readonly headersSent: boolean;
  /** The ID the client holds a cookie for, once the headers left. */
  readonly sentId: string | undefined;
  /** The record travels in the cookie (sealed mode): every write is a new cookie. */
  readonly sealed: boolean;
  /** The carrier has its own reason to rewrite an unchanged record (sealed mode: record a revocation check). */
  readonly carrierDue: boolean;
  /** The record was reached through a renewed ID's forward: the old ID's cookie is never re-sent. */
  readonly forwarded: boolean;
  /** The ID is old enough for a periodic renewal. */
  readonly renewDue: boolean;
  /** The headers leave now, ahead of a streamed body: the write comes only at the end. */
  readonly streaming: boolean;
}

/** What a commit does: the write, the cookie, and whether the ID is renewed. */
export interface CommitPlan {
  readonly write: 'none' | 'touch' | 'update' | 'create' | 'delete';
  readonly cookie: 'none' | 'set' | 'clear';
  /** Regenerated: the loaded record (or sealed ID) goes once the new one is written. */
  readonly replaces: boolean;
  /** Periodic renewal: the session moves to a new ID now. */
  readonly renew: boolean;
}

const plan = (write: CommitPlan['write'], cookie: CommitPlan['cookie'], replaces = false, renew = false): CommitPlan => ({ write, cookie, replaces, renew });
const NOTHING = plan('none', 'none');
const CLEAR = plan('none', 'clear');

/**
 * The commit rules of DESIGN.md, for both modes, as one pure decision:
 *
 * | state at commit     | write                          | cookie                                      |
 * |---------------------|--------------------------------|---------------------------------------------|
 * | new, unchanged      | none                           | clear an unusable incoming cookie           |
 * | existing, unchanged | touch when the idle refresh is due (sealed: also to re-seal under the current key) | set when the record is in it, or to refresh Max-Age |
 * | modified            | update                         | set when needed (new ID, remember-me, sealed) |
 * | regenerated         | create, the old one replaced   | set                                         |
 * | destroyed           | delete                         | clear                                       |
 * | old key of the ring | as above                       | set (re-issued under the current key)       |
 *
 * Throws `ERR_SESSION_HEADERS_SENT` when the session needs another cookie than the one that left.
 */
export function planCommit(input: PlanInput, rules: ExpiryRules, now: number): CommitPlan {
  const { headersSent } = input;
  const clearIncoming = input.clearCookie && !headersSent ? CLEAR : NOTHING;
  if (input.status === 'destroyed') {
    if (input.loadedId === undefined) return clearIncoming;
    return plan('delete', headersSent ? 'none' : 'clear');
  }
  if (input.loadedId === undefined && (input.status === 'unchanged' || (input.empty && !input.touched))) return clearIncoming;

  // A renewal starts only where its write runs before the new cookie leaves.
  const renew = input.renewDue && !headersSent && !input.streaming && input.id === input.loadedId;
  const replaces = input.loadedId !== undefined && input.id !== input.loadedId;
  const isNew = input.loadedId === undefined || replaces || renew;
  const changed = isNew || input.touched || input.changed;
  const due = touchDue(rules, input.lastSeenAt, now) || (input.sealed && (input.reissue || input.carrierDue));
  if (!changed && !due) return input.reissue && !headersSent ? plan('none', 'set') : NOTHING;

  const write = isNew ? 'create' : changed ? 'update' : 'touch';
  const needsCookie = input.sealed || isNew || (!input.forwarded && (input.reissue || input.persistent || input.persistent !== input.loadedPersistent));
  if (needsCookie && headersSent) {
    if (input.sealed ? changed : input.sentId !== input.id) {
      throw new SessionError(
        'ERR_SESSION_HEADERS_SENT',
        'the session needs a new cookie but the response headers were already sent; change the session before writing the response, or await saveSession() first',
      );
    }
    // Sealed: a due refresh waits for the next response. Store mode: the cookie that left names this ID.
    if (input.sealed) return NOTHING;
  }
  return plan(write, needsCookie && !headersSent ? 'set' : 'none', replaces, renew);
}
