// Which form a client wants a failure answer in, from its `Accept` header: JSON or plain text.

/** A media range of an `Accept` header: `type/subtype` in lower case and its quality (0 to 1). */
interface MediaRange {
  type: string;
  q: number;
}

/** At most this many ranges are read: an `Accept` header is short, and the parse stays bounded. */
const MAX_RANGES = 32;

/** The media ranges of an `Accept` value, in order; malformed members are skipped, never thrown on. */
function mediaRanges(accept: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const member of accept.split(',', MAX_RANGES)) {
    const [type = '', ...params] = member.split(';');
    const name = type.trim().toLowerCase();
    if (!/^[a-z0-9!#$&^_.+*-]+\/[a-z0-9!#$&^_.+*-]+$/.test(name)) continue;
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split('=').map((part) => part.trim().toLowerCase());
      if (key === 'q' && value !== undefined && /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(value)) q = Number(value);
    }
    ranges.push({ type: name, q });
  }
  return ranges;
}

const isJson = (type: string): boolean => type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));

/**
 * Whether the client prefers JSON: the range it rates highest (the first listed among equals) is
 * `application/json` or `application/*+json`. `*\/*`, no header and anything unreadable give text.
 */
export function prefersJson(accept: string | null | undefined): boolean {
  if (typeof accept !== 'string' || accept === '') return false;
  let best: MediaRange | undefined;
  for (const range of mediaRanges(accept)) if (range.q > 0 && (best === undefined || range.q > best.q)) best = range;
  return best !== undefined && isJson(best.type);
}
