import { isSessionId } from '../crypto/random.js';
import { dataOf, parseObject } from '../json.js';

/** What a sealed cookie holds. All times are epoch ms and authoritative: the cookie's Max-Age is only a hint. */
export interface SealedPayload {
  id: string;
  createdAt: number;
  lastSeenAt: number;
  /** When this session ID was issued (new session or regenerate): compared with the user's revocation time. */
  issuedAt: number;
  /** The last revocation check (or `issuedAt`). */
  checkedAt: number;
  /** The expiry computed when sealed: min(createdAt + lifetime, lastSeenAt + idleTimeout). */
  expiresAt: number;
  persistent: boolean;
  data: Record<string, unknown>;
}

/** JSON with a fixed key order, so equal payloads encode equally. */
export function encodePayload(p: SealedPayload): string {
  return JSON.stringify({ i: p.id, c: p.createdAt, s: p.lastSeenAt, a: p.issuedAt, k: p.checkedAt, e: p.expiresAt, p: p.persistent ? 1 : 0, d: p.data });
}

const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** Decodes an opened payload (only after its tag verified); any other shape is undefined. */
export function decodePayload(text: string): SealedPayload | undefined {
  const r = parseObject(text);
  const data = dataOf(r?.d);
  if (r === undefined || data === undefined || typeof r.i !== 'string' || !isSessionId(r.i)) return undefined;
  if (!isTime(r.c) || !isTime(r.s) || !isTime(r.a) || !isTime(r.k) || !isTime(r.e)) return undefined;
  return { id: r.i, createdAt: r.c, lastSeenAt: r.s, issuedAt: r.a, checkedAt: r.k, expiresAt: r.e, persistent: r.p === 1, data };
}
