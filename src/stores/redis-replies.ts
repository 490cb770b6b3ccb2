// Replies of Redis as RedisStore reads them, whichever client and protocol version sent them.
import { SessionError } from '../index.js';

/** A bulk string reply as text; null or undefined (a missing key) as undefined. */
export function text(reply: unknown, command: string): string | undefined {
  if (reply === null || reply === undefined) return undefined;
  if (typeof reply === 'string') return reply;
  if (reply instanceof Uint8Array) return Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength).toString('utf8');
  throw new SessionError('ERR_SESSION_STORE', `unexpected reply to Redis ${command}: ${typeof reply}`);
}

/** An integer reply as a number. */
export function integer(reply: unknown, command: string): number {
  if (typeof reply === 'number') return reply;
  if (typeof reply === 'bigint' || (typeof reply === 'string' && /^-?\d+$/.test(reply))) return Number(reply);
  throw new SessionError('ERR_SESSION_STORE', `unexpected reply to Redis ${command}: ${typeof reply}`);
}
