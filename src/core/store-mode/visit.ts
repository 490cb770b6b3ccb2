import type { Binding } from '../dbsc/binding.js';
import type { ClientInfo } from '../types.js';
import type { CacheVisit } from './cookie-cache.js';

/** What store mode keeps per request, beside the session's facts. */
export interface StoreVisit {
  /** The store key of the loaded (or last written) ID, hashed once. */
  key: string;
  /** Where the record really lives when it was reached through a renewed ID's forward. */
  liveKey: string | undefined;
  /** When the current ID was issued, if it was ever renewed (`renewAfter`); else `createdAt`. */
  idIssuedAt: number | undefined;
  renewDue: boolean;
  /** The ID this request renewed the session to, until that renewal is written (a failed one is retried). */
  renewTo: string | undefined;
  /** A record seen expired or corrupt at load, deleted at commit. */
  purgeKey: string | undefined;
  /** The cookie cache's facts (`cookieCache`), undefined when it is off. */
  cache: CacheVisit | undefined;
  /** The record's DBSC binding, written back unchanged (a regenerated session starts unbound). */
  binding: Binding | undefined;
  /** This request's client (`recordClient`), recorded anew when the session is regenerated (at login). */
  client: ClientInfo | undefined;
  /** The handle the record keeps from its first renewal on (record.ts); a regenerated session starts without. */
  handle: string | undefined;
}
