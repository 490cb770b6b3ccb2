// The Lua scripts of RedisStore. Each runs atomically on the server in one round trip: EVALSHA,
// and EVAL once when the server does not know the script yet (NOSCRIPT), which also caches it.
// Records are `<owner hex>:<value>` (see redis-record.ts); a user's set holds bare store keys.
// Scripts build some key names from their arguments, so they need a standalone Redis (or
// Sentinel / a single primary), not Redis Cluster.
import { createHash } from 'node:crypto';
import type { RedisCommandClient } from './redis-clients.js';

export interface RedisScript {
  readonly source: string;
  readonly sha: string;
}

const HELPERS = `
local function expiry_at(key)
  local at = redis.pcall('PEXPIRETIME', key)
  if type(at) == 'number' then return at end
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then return ttl end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + ttl
end
local function extend(set, at)
  local current = expiry_at(set)
  if current == -2 then return end
  if current == -1 or current < at then redis.call('PEXPIREAT', set, at) end
end
local function index(key, set, member, at)
  if set == nil or redis.call('EXISTS', key) == 0 then return end
  redis.call('SADD', set, member)
  extend(set, at)
end
`;

function script(body: string): RedisScript {
  const source = HELPERS + body;
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** KEYS: record, user set. ARGV: stored text, expiresAt, member. */
export const WRITE = script(`
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
index(KEYS[1], KEYS[2], ARGV[3], tonumber(ARGV[2]))
return 1
`);

/** KEYS: record[, user set]. ARGV: stored text, expiresAt, member, '1' when previous is given, previous value. */
export const SET_IF = script(`
local current = redis.call('GET', KEYS[1])
if ARGV[4] == '1' then
  if not current then return 0 end
  local sep = string.find(current, ':', 1, true)
  if not sep or string.sub(current, sep + 1) ~= ARGV[5] then return 0 end
elseif current then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
index(KEYS[1], KEYS[2], ARGV[3], tonumber(ARGV[2]))
return 1
`);

/** KEYS: user set. ARGV: record key prefix, owner hex. Returns [key, value, expiresAt, ...]; prunes stale members. */
export const LIST_BY_USER = script(`
local out = {}
local header = ARGV[2] .. ':'
for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local key = ARGV[1] .. member
  local current = redis.call('GET', key)
  if current and string.sub(current, 1, #header) == header then
    out[#out + 1] = member
    out[#out + 1] = string.sub(current, #header + 1)
    out[#out + 1] = expiry_at(key)
  else
    redis.call('SREM', KEYS[1], member)
  end
end
return out
`);

/** KEYS: user set. ARGV: record key prefix, owner hex, keys to keep... Returns how many records went. */
export const DELETE_BY_USER = script(`
local keep = {}
for i = 3, #ARGV do keep[ARGV[i]] = true end
local header = ARGV[2] .. ':'
local count = 0
for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local key = ARGV[1] .. member
  if redis.call('GETRANGE', key, 0, #header - 1) ~= header then
    redis.call('SREM', KEYS[1], member)
  elseif not keep[member] then
    redis.call('DEL', key)
    redis.call('SREM', KEYS[1], member)
    count = count + 1
  end
end
return count
`);

const isNoScript = (error: unknown): boolean => error instanceof Error && error.message.startsWith('NOSCRIPT');

/** Runs a script in one round trip (two the first time a server sees it). */
export async function runScript(client: RedisCommandClient, { source, sha }: RedisScript, keys: string[], args: string[]): Promise<unknown> {
  const tail = [String(keys.length), ...keys, ...args];
  try {
    return await client.sendCommand(['EVALSHA', sha, ...tail]);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return client.sendCommand(['EVAL', source, ...tail]);
  }
}
