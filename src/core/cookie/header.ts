/** Limits that keep cookie parsing linear and bounded whatever a client sends. */
export const COOKIE_PARSE_LIMITS = {
  /** Bytes of a Cookie header looked at; the rest is ignored. */
  maxHeaderBytes: 64 * 1024,
  /** Pairs materialised by `parseCookieHeader`. */
  maxPairs: 200,
} as const;

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

function trimmed(header: string, start: number, end: number): [number, number] {
  while (start < end && isOws(header.charCodeAt(start))) start++;
  while (end > start && isOws(header.charCodeAt(end - 1))) end--;
  return [start, end];
}

/**
 * Calls `visit(nameStart, nameEnd, eq, end)` for each `name=value` pair of the header (name
 * trimmed of SP/HTAB; pairs without `=` skipped), in order, until it returns false. Linear time:
 * the next '=' is searched again only once the scan has passed it, even for `a;a;a;...=`.
 */
function scanPairs(header: string, visit: (ns: number, ne: number, eq: number, end: number) => boolean): void {
  const length = Math.min(header.length, COOKIE_PARSE_LIMITS.maxHeaderBytes);
  let start = 0;
  let nextEq = -2;
  while (start < length) {
    let end = header.indexOf(';', start);
    if (end === -1 || end > length) end = length;
    if (nextEq !== -1 && nextEq < start) nextEq = header.indexOf('=', start);
    if (nextEq !== -1 && nextEq < end) {
      const [ns, ne] = trimmed(header, start, nextEq);
      if (!visit(ns, ne, nextEq, end)) return;
    }
    start = end + 1;
  }
}

/**
 * Every value sent under exactly `name` (byte-exact: no decoding, no case folding, only SP/HTAB
 * trimmed), in header order. Pairs without `=` and nameless pairs never match. Linear time,
 * never throws; at most `maxValues` values are returned.
 */
export function findCookieValues(header: string | null | undefined, name: string, maxValues = 16): string[] {
  const found: string[] = [];
  if (typeof header !== 'string' || header.length === 0) return found;
  scanPairs(header, (ns, ne, eq, end) => {
    if (ne - ns === name.length && header.startsWith(name, ns)) {
      const [vs, ve] = trimmed(header, eq + 1, end);
      found.push(header.slice(vs, ve));
    }
    return found.length < maxValues;
  });
  return found;
}

/**
 * All cookies of a header as a null-prototype record (the first value of a name wins), for
 * application use such as reading a CSRF cookie. Names are never decoded; values are
 * percent-decoded when that succeeds and kept raw otherwise. Bounded by `COOKIE_PARSE_LIMITS`.
 */
export function parseCookieHeader(header: string | null | undefined): Record<string, string> {
  const cookies: Record<string, string> = Object.create(null);
  if (typeof header !== 'string' || header.length === 0) return cookies;
  let pairs = 0;
  scanPairs(header, (ns, ne, eq, end) => {
    if (ne === ns) return true;
    pairs++;
    const key = header.slice(ns, ne);
    if (!(key in cookies)) {
      const [vs, ve] = trimmed(header, eq + 1, end);
      cookies[key] = decodeValue(header.slice(vs, ve));
    }
    return pairs < COOKIE_PARSE_LIMITS.maxPairs;
  });
  return cookies;
}

function decodeValue(value: string): string {
  if (value.indexOf('%') === -1) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
