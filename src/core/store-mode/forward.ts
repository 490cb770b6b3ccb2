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
  if (!text.startsWith(PREFIX)) return undefined;
  try {
    const raw = JSON.parse(text) as { f?: unknown; u?: unknown };
    return typeof raw.f === 'string' && Number.isFinite(raw.u) ? { key: raw.f, until: raw.u as number } : undefined;
  } catch {
    return undefined;
  }
}
