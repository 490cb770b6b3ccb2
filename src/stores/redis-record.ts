// How RedisStore lays out a record: `<owner>[.<indexedUntil>]:<value>` under `prefix + 's:' + key`,
// where owner is the user ID in lowercase hex (empty when the session has no user) and
// indexedUntil (epoch ms) how long the user's index is known to hold the key. Keeping the owner
// inside the record lets the per-user index be checked (a session that changed user, or lost it,
// is pruned from the old user's index) without a second key, and keeps reads and plain writes one
// command; indexedUntil lets a write skip the index when it already covers the new expiry.

const HEADER = /^(?:[0-9a-f]{2})*(?:\.\d+)?:/;

/** The owner tag of a user ID: its UTF-8 bytes in hex. */
export function ownerTag(userId: string | undefined): string {
  return userId === undefined ? '' : Buffer.from(userId, 'utf8').toString('hex');
}

/** The user ID of an owner tag. */
export function userOfTag(tag: string): string {
  return Buffer.from(tag, 'hex').toString('utf8');
}

/** A record without a user (the index is never involved). */
export function anonymousRecord(value: string): string {
  return `:${value}`;
}

/**
 * The value inside a stored record. Text without the header (written by something else) comes
 * back whole, so the manager reports it as `corrupt` and deletes it, as with the other stores.
 */
export function decodeStored(stored: string): string {
  const header = HEADER.exec(stored);
  return header === null ? stored : stored.slice(header[0].length);
}

/** The owner tag of a stored record, or undefined when the text has no header. */
export function ownerOf(stored: string): string | undefined {
  const header = HEADER.exec(stored);
  if (header === null) return undefined;
  const end = header[0].indexOf('.');
  return header[0].slice(0, end === -1 ? -1 : end);
}
