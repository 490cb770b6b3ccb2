import { SessionError } from '../errors.js';
import type { DbscAccess } from './types.js';

const registry = new WeakMap<object, DbscAccess>();

/** @internal Called by `createSessionManager` when the `dbsc` option is on. */
export function registerDbsc(manager: object, access: DbscAccess): void {
  registry.set(manager, access);
}

/**
 * The DBSC capability of a manager made with the `dbsc` option: what `tessera-session/dbsc`'s
 * endpoints use to read and bind sessions. Throws `ERR_SESSION_CONFIG` for a manager without it.
 */
export function dbscAccess(manager: { readonly cookieName: string }): DbscAccess {
  const access = registry.get(manager);
  if (access === undefined) throw new SessionError('ERR_SESSION_CONFIG', "this session manager has no DBSC: create it with createSessionManager({ ..., dbsc: {} }) in store mode");
  return access;
}
