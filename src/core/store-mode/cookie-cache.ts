import { findCookieValues } from '../cookie/header.js';
import { serializeClearCookie, serializeSetCookie } from '../cookie/set-cookie.js';
import type { Keyring } from '../crypto/keyring.js';
import { createSealer } from '../crypto/sealer.js';
import type { ResolvedCookieCache } from './cookie-cache-options.js';
import type { CommitPlan } from '../policy.js';
import type { SessionFacts } from '../session.js';
import { requireCompareAndSet } from '../store.js';
import type { SessionStore } from '../store.js';
import type { ResponseHeader } from '../transport.js';
import { decodeRecord } from './record.js';

// The opt-in cookie cache of store mode (docs/cookie-cache.md): a sealed copy of the exact record
// text the store holds, in a second cookie, trusted for `maxAge` seconds from the moment that text
// was last read from or written to the store (`cachedAt`). A write from a cached read still
// compare-and-sets against that text, so a changed record is merged and a deleted one is never
// re-created.

/** Largest cache cookie (name + value), in bytes: one cookie, never chunked. */
export const MAX_CACHE_COOKIE_BYTES = 4096;
/** A `cachedAt` ahead of this server's clock by more than this (another server's clock) is refused. */
const CLOCK_SKEW_MS = 60_000;
/** Users remembered as revoked in this process; past it the oldest go and every older cache misses. */
const MAX_REVOKED_USERS = 10_000;
const CACHED_AT = /^[0-9]{1,15}$/;

/** A cache cookie that opened for the session's store key and is still fresh. */
export interface CacheHit {
  /** The record text, as the store held it at `cachedAt`. */
  readonly text: string;
  /** When the text was last read from or written to the store, epoch ms. */
  readonly cachedAt: number;
  /** Sealed under an older key of the keyring: re-seal it (same `cachedAt`). */
  readonly stale: boolean;
}

/** What store mode keeps per request about the cache cookie. */
export interface CacheVisit {
  /** The request carried a cache cookie (usable or not). */
  seen: boolean;
  /** The session was loaded from the cache cookie, without a store read. */
  hit: boolean;
  /** When the loaded text was known to be the stored one: the hit's `cachedAt`, or the time of the store read. */
  cachedAt: number;
  /** The cache cookie opened under an older key: re-seal it. */
  stale: boolean;
}

export interface CookieCache {
  readonly name: string;
  readonly maxAgeMs: number;
  /** What the request header carries for the session stored under `key`. Never throws. */
  read(header: string | null | undefined, key: string, now: number): { visit: CacheVisit; hit: CacheHit | undefined };
  /** The Set-Cookie that caches `text` (stored under `key`) as of `cachedAt`, or undefined when it would not fit in one cookie. */
  set(key: string, text: string, cachedAt: number, now: number): ResponseHeader | undefined;
  clear(now: number): ResponseHeader;
  /** Whether a hit of `userId`'s session cached at `cachedAt` may be used without a store read. */
  trusted(userId: string | undefined, cachedAt: number): boolean | Promise<boolean>;
  /** `userId`'s sessions were revoked (or one destroyed) at `at`: their caches of before then miss. */
  revoked(userId: string, at: number): void;
  /** A session whose record text was `text` was destroyed at `at`: its user's caches of before then miss. */
  destroyed(text: string, at: number): void;
}

/** The AEAD context: the cache cookie's name and the session's store key, so a cache never moves to another session. */
const contextOf = (name: string, key: string): string => `tessera-session-cache\u0000${name}\u0000${key}`;

/** Parses an opened cache plaintext, `<cachedAt>.<record text>`; undefined for anything else. */
export function parseCachePlaintext(plaintext: string): { cachedAt: number; text: string } | undefined {
  const dot = plaintext.indexOf('.');
  if (dot < 1 || !CACHED_AT.test(plaintext.slice(0, dot))) return undefined;
  const text = plaintext.slice(dot + 1);
  return text.length === 0 ? undefined : { cachedAt: Number(plaintext.slice(0, dot)), text };
}

export function createCookieCache(options: ResolvedCookieCache, keyring: Keyring, store: SessionStore): CookieCache {
  requireCompareAndSet(store, 'cookieCache', 'without it a write from a cached read would overwrite, or re-create, whatever the store holds');
  const { cookie, maxAgeMs } = options;
  const name = cookie.name;
  const sealer = createSealer(keyring, 'session-cache');
  const maxAgeSeconds = maxAgeMs / 1000;
  const revokedAt = new Map<string, number>();
  /** Caches from before this instant miss for every user (set when the revoked-user memory overflows). */
  let floorAt = 0;

  const cache: CookieCache = {
    name,
    maxAgeMs,

    read(header, key, now) {
      const values = findCookieValues(header, name, 4);
      const visit: CacheVisit = { seen: values.length > 0, hit: false, cachedAt: now, stale: false };
      if (values.length === 0 || key === '') return { visit, hit: undefined };
      for (const value of values) {
        const opened = sealer.open(value, contextOf(name, key));
        if (opened === null) continue;
        const parsed = parseCachePlaintext(opened.plaintext.toString('utf8'));
        if (parsed === undefined || parsed.cachedAt > now + CLOCK_SKEW_MS || now - parsed.cachedAt >= maxAgeMs) continue;
        visit.hit = true;
        visit.cachedAt = parsed.cachedAt;
        visit.stale = opened.stale;
        return { visit, hit: { text: parsed.text, cachedAt: parsed.cachedAt, stale: opened.stale } };
      }
      return { visit, hit: undefined };
    },

    set(key, text, cachedAt, now) {
      const age = maxAgeSeconds - (now - cachedAt) / 1000;
      if (age <= 0) return undefined;
      const plaintext = `${cachedAt}.${text}`;
      // name=value must fit in one cookie; the token length is known before sealing.
      if (name.length + 1 + sealer.tokenLength(Buffer.byteLength(plaintext)) > MAX_CACHE_COOKIE_BYTES) return undefined;
      return ['set-cookie', serializeSetCookie(cookie, sealer.seal(plaintext, contextOf(name, key)), Math.max(1, Math.floor(age)), now)];
    },

    clear: (now) => ['set-cookie', serializeClearCookie(cookie, now)],

    trusted(userId, cachedAt) {
      if (cachedAt <= floorAt) return false;
      if (userId === undefined) return true;
      const revoked = revokedAt.get(userId);
      if (revoked !== undefined && cachedAt <= revoked) return false;
      return options.revalidate === undefined ? true : options.revalidate(userId, cachedAt);
    },

    revoked(userId, at) {
      revokedAt.delete(userId);
      revokedAt.set(userId, at);
      // Entries older than maxAge guard nothing any more: every cache they would refuse has expired.
      for (const [user, when] of revokedAt) {
        if (revokedAt.size <= MAX_REVOKED_USERS && when > at - maxAgeMs) break;
        revokedAt.delete(user);
        floorAt = Math.max(floorAt, when);
      }
    },

    destroyed(text, at) {
      const userId = decodeRecord(text)?.userId;
      if (userId !== undefined) cache.revoked(userId, at);
    },
  };
  return cache;
}

/** The cache cookie a commit sends: `header` now, given its value by `fill` once the commit's store work is done. */
export interface CacheSlot {
  readonly header: ResponseHeader;
  readonly fill: (() => void) | undefined;
}

/**
 * The cache cookie of a commit. A cache that is set starts as a clearing cookie and gets its
 * value only in `run()`, once the write is done (a read: at once): headers sent before the store
 * work clear the cache instead of caching a copy the store may never hold. A streamed response
 * (`streaming`) always clears it. Undefined: no cache cookie in this response.
 */
export function cacheSlot(
  cache: CookieCache,
  state: { readonly facts: SessionFacts; readonly carrier: { key: string; liveKey: string | undefined; cache: CacheVisit | undefined } },
  plan: CommitPlan,
  now: number,
  streaming: boolean,
): CacheSlot | undefined {
  const { facts: f, carrier: v } = state;
  const visit = v.cache;
  if (visit === undefined || f.cookieLocked) return undefined;
  const clearing = visit.seen ? { header: cache.clear(now), fill: undefined } : undefined;
  // The headers leave before the handler is done: the session may still change, so no copy goes out.
  if (streaming || plan.write === 'delete' || plan.cookie === 'clear') return clearing;
  const writes = plan.write !== 'none';
  if (!writes) {
    // Nothing stored, or reached through a renewal forward (the cookie names the old ID): no cache.
    if (f.baseline === undefined || v.liveKey !== undefined) return clearing;
    // A fresh cache is never re-issued from itself: its `cachedAt` bounds how stale a read may be.
    if (visit.hit && !visit.stale) return undefined;
  }
  const header: [string, string] = ['set-cookie', cache.clear(now)[1]];
  return {
    header,
    fill() {
      const b = f.baseline;
      // Destroyed meanwhile, or the live record is under another key (a renewal forward): stay cleared.
      if (b === undefined || b.id !== f.id || v.liveKey !== undefined) return;
      const set = cache.set(v.key, b.text, writes ? now : visit.cachedAt, now);
      if (set === undefined) return;
      header[1] = set[1];
      visit.seen = true;
      if (writes) {
        visit.hit = false;
        visit.cachedAt = now;
      }
    },
  };
}
