import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { resolveCookieOptions } from '../cookie/options.js';
import { createKeyring } from '../crypto/keyring.js';
import { MemoryStore } from '../memory-store.js';
import { createCookieCache, parseCachePlaintext } from './cookie-cache.js';

const NAME = '__Host-sid-cache';
const options = { cookie: resolveCookieOptions({ name: NAME }), maxAgeMs: 30_000, revalidate: undefined };
const cache = createCookieCache(options, createKeyring('cookie-cache-unit-secret-0123456789abcdef'), new MemoryStore());
const NOW = Date.UTC(2026, 11, 2, 12);
const KEY = 'k'.repeat(43);
const TEXT = '{"v":1,"c":1,"s":1,"p":0,"d":{"userId":"ada"}}';
const valueOf = (header: readonly [string, string]): string => header[1].split(';')[0]!.slice(NAME.length + 1);
const token = valueOf(cache.set(KEY, TEXT, NOW, NOW)!);
const hit = (value: string, key = KEY, now = NOW) => cache.read(`${NAME}=${value}`, key, now).hit;

describe('cookie cache: parser and verifier (property tests)', () => {
  it('CC-10 the plaintext parser never throws and accepts only <digits>.<text>', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const parsed = parseCachePlaintext(s);
        if (parsed !== undefined) {
          assert.match(s, /^[0-9]{1,15}\.(.+)$/s);
          assert.equal(`${parsed.cachedAt}.${parsed.text}`.length <= s.length, true);
        }
      }),
      { numRuns: 2000 },
    );
    fc.assert(fc.property(fc.integer({ min: 0, max: 10 ** 15 - 1 }), fc.string({ minLength: 1 }), (at, text) => assert.deepEqual(parseCachePlaintext(`${at}.${text}`), { cachedAt: at, text })));
  });

  it('CC-10 a valid cache opens for its own key, within maxAge only', () => {
    assert.deepEqual(hit(token), { text: TEXT, cachedAt: NOW, stale: false });
    assert.equal(hit(token, KEY, NOW + 29_999)?.text, TEXT);
    assert.equal(hit(token, KEY, NOW + 30_000), undefined, 'expired at maxAge, whatever the browser does');
    assert.equal(hit(token, KEY, NOW - 61_000), undefined, 'cachedAt too far in the future');
    assert.equal(hit(token, 'x'.repeat(43)), undefined, 'another session');
    assert.equal(hit(token, ''), undefined, 'no session');
  });

  it('CC-10 garbage, truncated or altered cache cookies never open and never throw', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 50 }), (value, key) => {
        const read = cache.read(`${NAME}=${value}; other=1`, key, NOW);
        assert.equal(read.hit, undefined);
        assert.equal(read.visit.seen, true);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), (cut) => assert.equal(hit(token.slice(0, cut)), undefined)),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom(...'ABCDEFabcdef0123456789-_'), (at, c) => {
        const changed = token.slice(0, at) + c + token.slice(at + 1);
        if (changed !== token) assert.equal(hit(changed), undefined);
      }),
      { numRuns: 1000 },
    );
  });

  it('CC-10 a cache sealed by another keyring, or under another cookie name, never opens', () => {
    const other = createCookieCache(options, createKeyring('cookie-cache-other-secret-0123456789abcd'), new MemoryStore());
    assert.equal(hit(valueOf(other.set(KEY, TEXT, NOW, NOW)!)), undefined);
    const renamed = createCookieCache({ ...options, cookie: resolveCookieOptions({ name: '__Host-other' }) }, createKeyring('cookie-cache-unit-secret-0123456789abcdef'), new MemoryStore());
    const value = renamed.set(KEY, TEXT, NOW, NOW)![1].split(';')[0]!.slice('__Host-other='.length);
    assert.equal(hit(value), undefined);
  });

  it('CC-07 a cache that would not fit in one cookie is not set', () => {
    assert.equal(cache.set(KEY, 'x'.repeat(3000), NOW, NOW), undefined);
    assert.ok(cache.set(KEY, 'x'.repeat(2000), NOW, NOW));
    assert.equal(cache.set(KEY, TEXT, NOW - 30_000, NOW), undefined, 'an already expired copy is not set');
  });

  it('remembers revoked users in bounded space: past the bound, older caches miss for everyone', () => {
    const local = createCookieCache(options, createKeyring('cookie-cache-unit-secret-0123456789abcdef'), new MemoryStore());
    local.revoked('ada', NOW);
    assert.equal(local.trusted('ada', NOW), false);
    assert.equal(local.trusted('ada', NOW + 1), true);
    assert.equal(local.trusted('bob', NOW), true);
    for (let i = 0; i < 10_001; i++) local.revoked(`u${i}`, NOW + 1 + i);
    assert.equal(local.trusted('bob', NOW + 1), false, 'the forgotten entries moved the floor up');
    assert.equal(local.trusted('bob', NOW + 20_000), true);
  });
});
