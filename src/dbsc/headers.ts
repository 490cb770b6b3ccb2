// The DBSC header fields are Structured Fields (RFC 9651): the few shapes DBSC uses, parsed by
// hand (no library of ours covers them) and never throwing. Legacy clients send some of them bare.

/** Longest header value read: an RS256 proof with a 4096-bit key is about 1.2 KB. */
const MAX_LENGTH = 8192;
const BARE = /^[A-Za-z0-9_.~+/=-]+$/;

/** Why a refresh was skipped, as the browser reports it in `Secure-Session-Skipped`. */
export interface SkippedRefresh {
  /** `unreachable`, `server_error` or `quota_exceeded`. */
  reason: 'unreachable' | 'server_error' | 'quota_exceeded';
  /** The DBSC session the browser did not refresh, when it says. */
  sessionIdentifier: string | undefined;
}

/** Reads an sf-string at `at`; returns its value and the index after the closing quote. */
function readString(text: string, at: number): [string, number] | undefined {
  if (text[at] !== '"') return undefined;
  let out = '';
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i]!;
    const code = c.charCodeAt(0);
    if (c === '\\') {
      const next = text[i + 1];
      if (next !== '"' && next !== '\\') return undefined;
      out += next;
      i++;
    } else if (c === '"') {
      return [out, i + 1];
    } else if (code < 0x20 || code > 0x7e) {
      return undefined;
    } else {
      out += c;
    }
  }
  return undefined;
}

/**
 * The string of a header whose value is an sf-string with parameters that are ignored
 * (`Secure-Session-Response`, `Sec-Secure-Session-Id`); a bare token is accepted too (legacy
 * `Sec-Session-*` clients). Anything else, or a value over 8 KiB, is undefined.
 */
export function readStringItem(value: string | null | undefined): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_LENGTH) return undefined;
  const text = value.trim();
  if (text.startsWith('"')) {
    const read = readString(text, 0);
    if (read === undefined) return undefined;
    const rest = text.slice(read[1]);
    return rest === '' || rest.startsWith(';') ? read[0] : undefined;
  }
  const bare = text.split(';')[0]!;
  return BARE.test(bare) ? bare : undefined;
}

/** An sf-string: `value` quoted, `"` and `\` escaped. Throws on characters an sf-string cannot hold (only printable ASCII). */
export function sfString(value: string): string {
  if (!/^[\x20-\x7e]*$/.test(value)) throw new TypeError('an sf-string holds printable ASCII only');
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

const REASONS = new Set(['unreachable', 'server_error', 'quota_exceeded']);

/** The members of `Secure-Session-Skipped` (an sf-list of tokens with a `session_identifier` parameter); unknown or malformed members are left out. Never throws. */
export function parseSkipped(value: string | null | undefined): SkippedRefresh[] {
  if (typeof value !== 'string' || value.length > MAX_LENGTH) return [];
  const out: SkippedRefresh[] = [];
  let i = 0;
  const text = value;
  const skipSpace = (): void => {
    while (text[i] === ' ' || text[i] === '\t') i++;
  };
  while (i < text.length) {
    skipSpace();
    const token = /^[A-Za-z*][A-Za-z0-9_\-.:%*/!#$&'+^`|~]*/.exec(text.slice(i))?.[0];
    let ok = token !== undefined;
    i += token?.length ?? 0;
    let sessionIdentifier: string | undefined;
    while (ok && text[i] === ';') {
      i++;
      skipSpace();
      const key = /^[a-z*][a-z0-9_\-.*]*/.exec(text.slice(i))?.[0];
      if (key === undefined) {
        ok = false;
        break;
      }
      i += key.length;
      if (text[i] !== '=') continue;
      i++;
      const read = readString(text, i);
      if (read === undefined) {
        ok = false;
        break;
      }
      if (key === 'session_identifier') sessionIdentifier = read[0];
      i = read[1];
    }
    skipSpace();
    if (ok && (i === text.length || text[i] === ',') && REASONS.has(token!)) out.push({ reason: token as SkippedRefresh['reason'], sessionIdentifier });
    // A malformed member: skip to the next comma outside a string (approximately: the next comma).
    const comma = text.indexOf(',', i);
    if (comma === -1) break;
    i = comma + 1;
  }
  return out;
}
