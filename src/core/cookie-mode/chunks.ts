import { findCookieValues } from '../cookie/header.js';
import { SessionError } from '../errors.js';

/**
 * Splitting a sealed token over several cookies.
 *
 * - Fits in one cookie (name + value <= 4096 bytes): `name=<token>`.
 * - Otherwise k >= 2 chunks: `name.0=<k>.<piece 0>`, `name.1=<piece 1>`, ... `name.<k-1>`.
 *   The count k is carried in chunk 0 and is also bound into the seal's additional data by the
 *   caller, so a token only opens as the layout it was sealed for; missing, truncated, reordered
 *   or extra pieces change the concatenation and fail authentication.
 */

/** Browsers ignore a cookie whose name plus value exceeds this (RFC 6265bis §5.7). */
export const MAX_COOKIE_PAIR_BYTES = 4096;

export function chunkName(name: string, index: number): string {
  return `${name}.${index}`;
}

/** How many chunk cookies a reader accepts at most, for a size limit and a cookie name. */
export function maxChunksFor(name: string, maxCookieBytes: number): number {
  const smallest = MAX_COOKIE_PAIR_BYTES - chunkName(name, 99).length - 4;
  return Math.max(2, Math.ceil(maxCookieBytes / smallest) + 1);
}

/** What the request carried under the session cookie name and its chunk names. */
export interface ReadToken {
  /** `ok`: one complete token; `none`: no session cookie; `duplicate`: a name sent twice; `malformed`: a broken chunk set. */
  status: 'ok' | 'none' | 'duplicate' | 'malformed';
  token: string;
  /** 1 for a single cookie, k for k chunks. */
  count: number;
  /** Every session cookie name the client sent (to clear the stale ones). */
  present: string[];
  /** The names that carried `token`. */
  used: string[];
  /**
   * A complete chunk set sent beside a single cookie: stale pieces of an older layout, or a second
   * session tossed in. The caller opens it: if it opens, neither is used.
   */
  rival?: { token: string; count: number } | undefined;
}

/** Reads the token back in order. Never throws; bounded by `maxChunks` header scans. */
export function readToken(header: string | null | undefined, name: string, maxChunks: number): ReadToken {
  const result: ReadToken = { status: 'none', token: '', count: 0, present: [], used: [] };
  if (typeof header !== 'string' || header.length === 0) return result;
  const base = findCookieValues(header, name);
  if (base.length > 0) result.present.push(name);
  const chunks: string[][] = [];
  if (header.includes(`${name}.`)) {
    for (let i = 0; i < maxChunks; i++) {
      const values = findCookieValues(header, chunkName(name, i));
      chunks.push(values);
      if (values.length > 0) result.present.push(chunkName(name, i));
    }
  }
  if (base.length > 1) return { ...result, status: 'duplicate' };
  const chunked = joinChunks(chunks, name, maxChunks);
  if (base.length === 1) {
    const single: ReadToken = { ...result, status: 'ok', token: base[0]!, count: 1, used: [name] };
    if (chunked.status === 'ok') single.rival = { token: chunked.token, count: chunked.count };
    return single;
  }
  if (chunked.status === 'none') return { ...result, status: result.present.length > 0 ? 'malformed' : 'none' };
  return { ...result, ...chunked };
}

/** The token of the chunk cookies alone (`none` when chunk 0 is missing). */
function joinChunks(chunks: string[][], name: string, maxChunks: number): Pick<ReadToken, 'status' | 'token' | 'count' | 'used'> {
  const result = { status: 'none' as ReadToken['status'], token: '', count: 0, used: [] as string[] };
  const first = chunks[0] ?? [];
  if (first.length === 0) return result;
  if (first.length > 1) return { ...result, status: 'duplicate' };
  const head = first[0]!;
  const dot = head.indexOf('.');
  const countText = dot === -1 ? '' : head.slice(0, dot);
  if (!/^[2-9]$|^[1-9][0-9]$/.test(countText)) return { ...result, status: 'malformed' };
  const count = Number(countText);
  if (count > maxChunks) return { ...result, status: 'malformed' };
  const pieces = [head.slice(dot + 1)];
  for (let i = 1; i < count; i++) {
    const values = chunks[i]!;
    if (values.length > 1) return { ...result, status: 'duplicate' };
    if (values.length === 0) return { ...result, status: 'malformed' };
    pieces.push(values[0]!);
  }
  return { status: 'ok', token: pieces.join(''), count, used: Array.from({ length: count }, (_, i) => chunkName(name, i)) };
}

/** The cookie layout for a token of `tokenLength` characters: how many cookies, before sealing (`oneToken`: never split, the header transport). */
export function chunkCountFor(name: string, tokenLength: number, maxCookieBytes: number, oneToken = false): number {
  if ((oneToken || name.length + tokenLength <= MAX_COOKIE_PAIR_BYTES) && name.length + tokenLength <= maxCookieBytes) return 1;
  const maxChunks = oneToken ? 0 : maxChunksFor(name, maxCookieBytes);
  for (let count = 2; count <= maxChunks; count++) {
    let capacity = -`${count}.`.length;
    let total = `${count}.`.length + tokenLength;
    for (let i = 0; i < count; i++) {
      capacity += MAX_COOKIE_PAIR_BYTES - chunkName(name, i).length;
      total += chunkName(name, i).length;
    }
    if (capacity >= tokenLength) {
      if (total > maxCookieBytes) break;
      return count;
    }
  }
  throw new SessionError(
    'ERR_SESSION_COOKIE_TOO_LARGE',
    `the sealed session needs ${name.length + tokenLength}+ bytes of cookies, over maxCookieBytes (${maxCookieBytes}); keep less data in the session or use store mode`,
  );
}

/** Splits a token into `count` cookies as [name, value] pairs, each within 4096 bytes. */
export function splitToken(name: string, token: string, count: number): Array<[string, string]> {
  if (count === 1) return [[name, token]];
  const pairs: Array<[string, string]> = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const cookieName = chunkName(name, i);
    const prefix = i === 0 ? `${count}.` : '';
    const size = MAX_COOKIE_PAIR_BYTES - cookieName.length - prefix.length;
    pairs.push([cookieName, prefix + token.slice(offset, offset + size)]);
    offset += size;
  }
  if (offset < token.length || pairs[count - 1]![1].length === 0) throw new Error('tessera: internal error, sealed token does not fit its chunk count');
  return pairs;
}
