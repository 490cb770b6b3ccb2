// The Lua scripts of RedisStore. Each runs atomically on the server in one round trip: EVALSHA,
// and EVAL once when the server does not know the script yet (NOSCRIPT: a restart, a replica just
// promoted by a failover), which also caches it there. Every script touches exactly one key (its
// KEYS[1]), so every call goes to one slot and they run on Redis Cluster as they do on one server.
// Records are `<owner hex>[.<indexedUntil>]:<value>` (see redis-record.ts); a user's index is a
// sorted set of store keys scored by when each was (re)indexed, in ms of the server's clock.
import { createHash } from 'node:crypto';
import type { RedisCommandClient } from './redis-clients.js';

export interface RedisScript {
  readonly source: string;
  readonly sha: string;
}

const HELPERS = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function expiry_at(key)
  local at = redis.pcall('PEXPIRETIME', key)
  if type(at) == 'number' then return at end
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then return ttl end
  return now_ms() + ttl
end
local function header(text)
  return string.find(text, '^([0-9a-f]*)%.?(%d*):')
end
`;

function script(body: string): RedisScript {
  const source = HELPERS + body;
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * Writes a record. KEYS: record. ARGV: value, expiresAt, owner tag ('' for none), mode ('set',
 * 'create': only if absent, 'swap': only if the value is ARGV[5]), previous, indexedUntil granted
 * by an index step just done ('' for none). Returns 1 written, 0 not (compare-and-set lost), 2 not
 * written because the user's index must be extended first. A key of another type counts as
 * garbage: 'set' replaces it, 'create' and 'swap' lose.
 */
export const PUT = script(`
local current = redis.pcall('GET', KEYS[1])
if type(current) == 'table' then
  if ARGV[4] ~= 'set' then return 0 end
  current = false
end
if ARGV[4] == 'create' and current then return 0 end
local owner, indexed, finish
if current then
  local s
  s, finish, owner, indexed = header(current)
end
if ARGV[4] == 'swap' and (not finish or string.sub(current, finish + 1) ~= ARGV[5]) then return 0 end
local head = ':'
if ARGV[3] ~= '' then
  local grant = ARGV[6]
  if grant == '' then
    if owner ~= ARGV[3] or indexed == nil or indexed == '' or tonumber(indexed) < tonumber(ARGV[2]) then return 2 end
    grant = indexed
  end
  head = ARGV[3] .. '.' .. grant .. ':'
end
redis.call('SET', KEYS[1], head .. ARGV[1], 'PXAT', ARGV[2])
return 1
`);

/** Indexes a record under its user. KEYS: the user's sorted set. ARGV: store key, indexedUntil. The set lives at least until then. */
export const INDEX = script(`
redis.call('ZADD', KEYS[1], now_ms(), ARGV[1])
local at = tonumber(ARGV[2])
local current = expiry_at(KEYS[1])
if current == -1 or current < at then redis.call('PEXPIREAT', KEYS[1], ARGV[2]) end
return 1
`);

/** Removes index entries found stale, unless (re)indexed within the last ARGV[1] ms (a write may be on its way). KEYS: set. ARGV: grace, keys... */
export const PRUNE = script(`
local before = now_ms() - tonumber(ARGV[1])
local removed = 0
for i = 2, #ARGV do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if score and tonumber(score) < before then
    redis.call('ZREM', KEYS[1], ARGV[i])
    removed = removed + 1
  end
end
return removed
`);

/** KEYS: record. Returns { stored text, expiresAt } or { '', -2 } when missing or not a string. */
export const READ = script(`
local text = redis.pcall('GET', KEYS[1])
if type(text) ~= 'string' then return { '', -2 } end
return { text, expiry_at(KEYS[1]) }
`);

/** KEYS: record. ARGV: owner tag. Deletes the record if that user owns it; returns 1 if it did. */
export const DELETE_OWNED = script(`
local head = redis.pcall('GETRANGE', KEYS[1], 0, #ARGV[1])
if type(head) ~= 'string' or string.sub(head, 1, #ARGV[1]) ~= ARGV[1] then return 0 end
local next = string.sub(head, #ARGV[1] + 1)
if next ~= ':' and next ~= '.' then return 0 end
redis.call('DEL', KEYS[1])
return 1
`);

/** KEYS: record. Deletes it, whatever its type; returns its owner tag ('' for none), so its index entry can go too. */
export const DELETE = script(`
local text = redis.pcall('GET', KEYS[1])
redis.call('DEL', KEYS[1])
if type(text) ~= 'string' then return '' end
local s, e, owner = header(text)
return owner or ''
`);

const isNoScript = (error: unknown): boolean => error instanceof Error && error.message.startsWith('NOSCRIPT');

/** Runs a script on the slot of its one key: one round trip (two the first time a server sees it). */
export async function runScript(client: RedisCommandClient, { source, sha }: RedisScript, key: string, args: string[]): Promise<unknown> {
  const tail = ['1', key, ...args];
  try {
    return await client.sendCommand(['EVALSHA', sha, ...tail]);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return client.sendCommand(['EVAL', source, ...tail]);
  }
}
