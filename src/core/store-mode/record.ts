import { decodeBinding, encodeBinding } from '../dbsc/binding.js';
import type { Binding } from '../dbsc/binding.js';
import { dataOf, parseObject } from '../json.js';
import type { ClientInfo } from '../types.js';

/** A session as stored: the data plus the times and flags the manager needs. */
export interface SessionRecord {
  createdAt: number;
  lastSeenAt: number;
  persistent: boolean;
  userId: string | undefined;
  client: ClientInfo | undefined;
  /** When the current ID was issued, if the ID was ever renewed (`renewAfter`); else `createdAt`. */
  idIssuedAt?: number | undefined;
  data: Record<string, unknown>;
  /** The device binding (DBSC), once the browser registered a key. Absent in records without one, which encode as before. */
  binding?: Binding | undefined;
  /**
   * The session's handle (`listSessions`), kept from its first renewal on: the renewed record's
   * store key would give it a new one. Absent in records never renewed, whose handle comes from
   * their store key (user-index.ts).
   */
  handle?: string | undefined;
}

/** How every encoded record begins (the key order is fixed): what tells a record from a forward or a marker. */
export const RECORD_PREFIX = '{"v":1,"c":';

/** Encodes a record as versioned JSON. Key order is fixed, so equal records encode equally. */
export function encodeRecord(record: SessionRecord): string {
  return JSON.stringify({
    v: 1,
    c: record.createdAt,
    s: record.lastSeenAt,
    p: record.persistent ? 1 : 0,
    u: record.userId,
    m: record.client,
    i: record.idIssuedAt,
    d: record.data,
    b: record.binding === undefined ? undefined : encodeBinding(record.binding),
    h: record.handle,
  });
}

/** Decodes a stored record; anything malformed (wrong JSON, shape or version) is undefined. */
export function decodeRecord(text: string): SessionRecord | undefined {
  const r = parseObject(text);
  const data = dataOf(r?.d);
  if (r === undefined || data === undefined || r.v !== 1 || !Number.isFinite(r.c) || !Number.isFinite(r.s)) return undefined;
  // A binding that does not decode makes the record corrupt: never an unbound session by accident.
  const binding = r.b === undefined ? undefined : decodeBinding(r.b);
  if (r.b !== undefined && binding === undefined) return undefined;
  return {
    createdAt: r.c as number,
    lastSeenAt: r.s as number,
    persistent: r.p === 1,
    userId: typeof r.u === 'string' ? r.u : undefined,
    client: typeof r.m === 'object' && r.m !== null ? pickClient(r.m as Record<string, unknown>) : undefined,
    idIssuedAt: Number.isFinite(r.i) ? (r.i as number) : undefined,
    data,
    binding,
    handle: typeof r.h === 'string' ? r.h : undefined,
  };
}

function pickClient(m: Record<string, unknown>): ClientInfo {
  const client: ClientInfo = {};
  if (typeof m.userAgent === 'string') client.userAgent = m.userAgent;
  if (typeof m.ip === 'string') client.ip = m.ip;
  return client;
}

/**
 * After a renewal, the old ID's record is replaced by a forward to the new record's store key,
 * for `renewGrace` seconds: requests already in flight with the old cookie read and write the
 * live record, and a late write never lands on a dead copy. It names a store key, never an ID.
 */
export interface ForwardRecord {
  key: string;
  /** Epoch ms after which the old ID no longer works. */
  until: number;
}

const PREFIX = '{"v":1,"f":';

export function encodeForward(forward: ForwardRecord): string {
  return `${PREFIX}${JSON.stringify(forward.key)},"u":${forward.until}}`;
}

export function decodeForward(text: string): ForwardRecord | undefined {
  const raw = text.startsWith(PREFIX) ? parseObject(text) : undefined;
  return typeof raw?.f === 'string' && Number.isFinite(raw.u) ? { key: raw.f, until: raw.u as number } : undefined;
}
