import { SessionError } from '../core/errors.js';
import type { PreparedCommit, SessionProtocol } from '../core/protocol.js';
import type { Session } from '../core/session.js';

/**
 * What an adapter records per manager on one request. With several managers (different cookie
 * names) on one request, the first manager's entry holds the others' in `others`.
 */
export interface ManagerEntry<E> {
  /** The manager whose session the entry holds. */
  readonly manager: object;
  /** On the first manager's entry: the entries of the further managers on the same request. */
  others?: E[] | undefined;
}

/** The entry of `manager` on a request whose first entry is `first`; the first one when no manager is given. */
export function entryOfManager<E extends ManagerEntry<E>>(first: E | undefined, manager: object | undefined): E | undefined {
  if (first === undefined || manager === undefined || first.manager === manager) return first;
  return first.others?.find((entry) => entry.manager === manager);
}

/**
 * Records `entry` on a request whose first entry is `first` (undefined: none yet), and returns the
 * request's first entry: `entry` itself, or `first` with `entry` added to its `others`.
 */
export function addEntry<E extends ManagerEntry<E>>(first: E | undefined, entry: E): E {
  if (first === undefined) return entry;
  (first.others ??= []).push(entry);
  return first;
}

/** `entry`, or `ERR_SESSION_NOT_LOADED` when the request has no session of that manager (its middleware is not mounted before). */
export function requireEntry<E>(entry: E | undefined): E {
  if (entry === undefined) throw new SessionError('ERR_SESSION_NOT_LOADED', 'no session on this request: mount the session() middleware before this handler');
  return entry;
}

/**
 * `saveSession`'s commit: prepares and runs the commit of `entry`'s session now; the adapter then
 * applies `prepared.headers` if the response headers have not left. It commits as before the
 * headers: an adapter whose headers may already be out calls `protocol.sent(session, undefined)`
 * and `prepare(session, { streaming: true })` itself (as the Fastify adapter does).
 */
export async function commitNow(entry: { readonly protocol: SessionProtocol<object>; readonly session: Session<object> }): Promise<PreparedCommit> {
  const prepared = entry.protocol.prepare(entry.session);
  await prepared.run();
  return prepared;
}
