import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { COOKIE_PARSE_LIMITS, findCookieValues, parseCookieHeader } from './header.js';

describe('findCookieValues', () => {
  it('finds every value of the exact name, in order, trimming only SP and HTAB', () => {
    assert.deepEqual(findCookieValues('a=1; sid=x; b=2;sid=y ;\tsid =\tz', 'sid'), ['x', 'y', 'z']);
    assert.deepEqual(findCookieValues(' sid=x;', 'sid'), ['x']);
    assert.deepEqual(findCookieValues('sid="quoted"', 'sid'), ['"quoted"'], 'quotes are kept (RFC 6265bis)');
  });

  it('handles absent, empty and whitespace-only headers', () => {
    for (const header of [undefined, null, '', '   ', ';;;', '=', 'sid']) assert.deepEqual(findCookieValues(header, 'sid'), []);
  });

  it('never decodes or folds names: encoded, nameless, unicode-padded and case-changed names do not match', () => {
    const header = '__%48ost-sid=a; =__Host-sid=b; \u2000__Host-sid=c; __host-sid=d; $Version=1; __Host-sid2=e; x__Host-sid=f';
    assert.deepEqual(findCookieValues(header, '__Host-sid'), []);
  });

  it('pairs without "=" are skipped, never mapped onto a name (nameless cookies)', () => {
    assert.deepEqual(findCookieValues('sid; test value; sid=v', 'sid'), ['v']);
  });

  it('property: never throws and agrees with a naive split on well-formed headers (50 000 runs)', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/);
    const value = fc.stringMatching(/^[A-Za-z0-9_.-]{0,12}$/);
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value), { maxLength: 20 }), name, (pairs, wanted) => {
        const header = pairs.map(([n, v]) => `${n}=${v}`).join('; ');
        const expected = pairs.filter(([n]) => n === wanted).map(([, v]) => v).slice(0, 16);
        assert.deepEqual(findCookieValues(header, wanted), expected);
      }),
      { numRuns: 25_000 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: 'binary' }), (header) => {
        findCookieValues(header, 'sid');
        parseCookieHeader(header);
      }),
      { numRuns: 25_000 },
    );
  });

  it('S-7 a 16 KiB header of 4 000 pairs is scanned in bounded work', () => {
    const header = 'a=;'.repeat(4000) + ' sid=found';
    assert.deepEqual(findCookieValues(header, 'sid'), ['found']);
    const many = 'sid=x;'.repeat(1000);
    assert.equal(findCookieValues(many, 'sid').length, 16, 'at most 16 candidates are kept');
    const huge = 'a'.repeat(COOKIE_PARSE_LIMITS.maxHeaderBytes) + '; sid=beyond';
    assert.deepEqual(findCookieValues(huge, 'sid'), [], 'bytes past the limit are ignored');
  });
});

describe('parseCookieHeader', () => {
  it('returns a null-prototype record; first value wins; values decoded when valid', () => {
    const cookies = parseCookieHeader('__proto__=1; constructor=2; hasOwnProperty=3; a=%41; a=second; bad=%E0%A4%A; q="x"');
    assert.equal(Object.getPrototypeOf(cookies), null);
    assert.equal(cookies.__proto__, '1');
    assert.equal(cookies.constructor, '2');
    assert.equal(cookies.hasOwnProperty, '3');
    assert.equal(cookies.a, 'A');
    assert.equal(cookies.bad, '%E0%A4%A', 'a bad escape keeps the raw value');
    assert.equal(cookies.q, '"x"');
    assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
  });

  it('materialises at most maxPairs pairs', () => {
    const header = Array.from({ length: 1000 }, (_, i) => `c${i}=v`).join('; ');
    assert.equal(Object.keys(parseCookieHeader(header)).length, COOKIE_PARSE_LIMITS.maxPairs);
  });
});

describe('pathological headers', () => {
  it('G a long run of nameless pairs before the session cookie is parsed correctly (the "=" search never rescans)', () => {
    const header = 'a;'.repeat(32 * 1024 - 8) + 'sid=x';
    assert.deepEqual(findCookieValues(header, 'sid'), ['x']);
    assert.deepEqual(Object.keys(parseCookieHeader(header)), ['sid']);
    assert.deepEqual(findCookieValues('a;b;c=1;d;sid=2;e', 'sid'), ['2']);
    assert.deepEqual(findCookieValues('sid;x=1', 'sid'), [], 'an "=" in a later pair never gives an earlier pair a value');
  });
});
