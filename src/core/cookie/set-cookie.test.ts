import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { resolveCookieOptions } from './options.js';
import { MAX_COOKIE_AGE_SECONDS, serializeClearCookie, serializeSetCookie } from './set-cookie.js';

const NOW = Date.UTC(2026, 0, 1);
/** RFC 6265bis set-cookie-string for the values tessera emits (no quoted values, known attributes). */
const SET_COOKIE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+=[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*(; (Path=\/[\x21-\x3a\x3c-\x7e]*|Domain=[A-Za-z0-9.-]+|Max-Age=\d+|Expires=[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT|HttpOnly|Secure|SameSite=(Strict|Lax|None)|Partitioned|Priority=(Low|Medium|High)))*$/;

describe('Set-Cookie serialisation', () => {
  it('SM-19 secure defaults: __Host-sid; Path=/; HttpOnly; Secure; SameSite=Lax; no Domain; browser-session cookie', () => {
    const options = resolveCookieOptions();
    assert.equal(serializeSetCookie(options, 'v', undefined, NOW), '__Host-sid=v; Path=/; HttpOnly; Secure; SameSite=Lax');
  });

  it('SM-16 Max-Age and Expires agree and Max-Age is capped at 400 days', () => {
    const header = serializeSetCookie(resolveCookieOptions(), 'v', 10 * MAX_COOKIE_AGE_SECONDS, NOW);
    assert.match(header, new RegExp(`Max-Age=${MAX_COOKIE_AGE_SECONDS}; Expires=${new Date(NOW + MAX_COOKIE_AGE_SECONDS * 1000).toUTCString()}`));
  });

  it('SM-27 the clearing cookie repeats the scoping attributes, Partitioned included', () => {
    const options = resolveCookieOptions({ name: '__Secure-s', domain: 'example.com', path: '/app', partitioned: true, sameSite: 'none' });
    assert.equal(
      serializeClearCookie(options, NOW),
      '__Secure-s=; Path=/app; Domain=example.com; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=None; Partitioned',
    );
  });

  it('L property: every emitted header matches the set-cookie-string grammar, one pair, no CR/LF/NUL (50 000 runs)', () => {
    const optionsArb = fc.record({
      name: fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/),
      path: fc.stringMatching(/^\/[A-Za-z0-9/_.-]{0,20}$/),
      domain: fc.option(fc.stringMatching(/^[a-z0-9]{1,10}(\.[a-z0-9]{1,10}){0,2}$/), { nil: undefined }),
      sameSite: fc.constantFrom('strict', 'lax', 'none') as fc.Arbitrary<'strict' | 'lax' | 'none'>,
      partitioned: fc.boolean(),
      priority: fc.option(fc.constantFrom('low', 'medium', 'high') as fc.Arbitrary<'low' | 'medium' | 'high'>, { nil: undefined }),
    });
    fc.assert(
      fc.property(optionsArb, fc.stringMatching(/^[A-Za-z0-9_.-]{0,90}$/), fc.option(fc.integer({ min: -10, max: 10 ** 9 }), { nil: undefined }), (input, value, maxAge) => {
        const header = serializeSetCookie(resolveCookieOptions({ ...input, secure: true }), value, maxAge, NOW);
        assert.match(header, SET_COOKIE);
        assert.equal(header.split(';')[0]!.split('=').length, 2);
      }),
      { numRuns: 50_000 },
    );
  });
});

describe('cookie options', () => {
  const configError = (pattern: RegExp) => (error: Error & { code?: string }) => error.code === 'ERR_SESSION_CONFIG' && pattern.test(error.message);

  it('SM-13 __Host- names refuse Domain, a Path other than / and secure: false', () => {
    assert.throws(() => resolveCookieOptions({ name: '__Host-sid', domain: 'example.com' }), configError(/forbids cookie.domain/));
    assert.throws(() => resolveCookieOptions({ name: '__Host-sid', path: '/app' }), configError(/requires cookie.path/));
    assert.throws(() => resolveCookieOptions({ name: '__Host-sid', secure: false }), configError(/requires cookie.secure/));
    assert.throws(() => resolveCookieOptions({ name: '__Secure-sid', secure: false }), configError(/requires cookie.secure/));
    assert.throws(() => resolveCookieOptions({ name: '__Host-Http-sid', httpOnly: false }), configError(/requires cookie.httpOnly/));
  });

  it('SM-12 SameSite=None and Partitioned require Secure', () => {
    assert.throws(() => resolveCookieOptions({ sameSite: 'none', secure: false }), configError(/requires cookie.secure/));
    assert.throws(() => resolveCookieOptions({ partitioned: true, secure: false }), configError(/requires cookie.secure/));
  });

  it('refuses names, paths and domains that could inject attributes (CVE-2024-47764)', () => {
    assert.throws(() => resolveCookieOptions({ name: 'a;b' }), configError(/not a valid cookie name/));
    assert.throws(() => resolveCookieOptions({ path: '/x; Domain=evil' }), configError(/cookie.path/));
    assert.throws(() => resolveCookieOptions({ domain: 'evil.com; Secure' }), configError(/not a valid domain/));
  });

  it('SM-05 the default name is generic, and plain "sid" when not secure', () => {
    assert.equal(resolveCookieOptions().name, '__Host-sid');
    assert.equal(resolveCookieOptions({ secure: false }).name, 'sid');
  });

  it("refuses unknown keys and non-boolean flags, with what to do for express-session's maxAge, expires and secure: 'auto'", () => {
    const refused = (input: object, pattern: RegExp): void => assert.throws(() => resolveCookieOptions(input as never), (e: unknown) => e instanceof Error && 'code' in e && e.code === 'ERR_SESSION_CONFIG' && pattern.test(e.message));
    refused({ maxAge: 86_400_000 }, /cookie\.maxAge is not a tessera option: .*lifetime and idleTimeout .*setPersistent\(true\)/);
    refused({ expires: new Date() }, /cookie\.expires is not a tessera option/);
    refused({ signed: true }, /always signed/);
    refused({ httponly: true }, /cookie\.httponly is not a cookie option \(name, path/);
    refused({ secure: 'auto' }, /'auto' \(express-session\) is not supported/);
    refused({ httpOnly: 'yes' }, /cookie\.httpOnly must be true or false; got "yes"/);
    refused({ partitioned: 1 }, /cookie\.partitioned must be true or false/);
    assert.equal(resolveCookieOptions({ domain: undefined, secure: true }).name, '__Host-sid', 'a known key set to undefined is fine');
  });

  it('never mutates the input', () => {
    const input = Object.freeze({ secure: true });
    assert.doesNotThrow(() => resolveCookieOptions(input));
  });
});
