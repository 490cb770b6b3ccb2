// How RedisStore lays out a record: `<owner>:<value>` under `prefix + 's:' + key`, where owner is
// the user ID in lowercase hex (empty when the session has no user). Keeping the owner inside the
// record lets the per-user index be checked (a session that changed user, or lost it, is pruned
// from the old user's set) without a second key, and keeps reads and plain writes one command.

const HEADER = /^(?:[0-9a-f]{2})*:/;

/** The owner tag of a user ID: its UTF-8 bytes in hex. */
export function ownerTag(userId: string | undefined): string {
  return userId === undefined ? '' : Buffer.from(userId, 'utf8').toString('hex');
}

export function encodeStored(value: string, userId: string | undefined): string {
  return `${ownerTag(userId)}:${value}`;
}

/** The value inside a stored record, or undefined when the text is not one of ours. */
export function decodeStored(stored: string): string | undefined {
  const header = HEADER.exec(stored);
  return header === null ? undefined : stored.slice(header[0].length);
}
