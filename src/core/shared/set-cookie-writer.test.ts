import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COOKIE_PACKAGE_ATTRIBUTE_ORDER, TESSERA_ATTRIBUTE_ORDER, writeSetCookie } from './set-cookie-writer.js';
import type { SetCookieAttributes } from './set-cookie-writer.js';

const EPOCH = new Date(0);
const ALL: SetCookieAttributes = { maxAge: 0, domain: 'example.com', path: '/app', expires: EPOCH, httpOnly: true, secure: true, partitioned: true, priority: 'high', sameSite: 'none' };

describe('Set-Cookie writer', () => {
  it('tessera’s order: the core’s clearing cookie, attribute for attribute', () => {
    assert.equal(
      writeSetCookie('__Secure-s', '', { ...ALL, priority: undefined }, TESSERA_ATTRIBUTE_ORDER),
      '__Secure-s=; Path=/app; Domain=example.com; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=None; Partitioned',
    );
    assert.equal(writeSetCookie('__Host-sid', 'v', { path: '/', httpOnly: true, secure: true, sameSite: 'lax', partitioned: false }), '__Host-sid=v; Path=/; HttpOnly; Secure; SameSite=Lax');
  });

  it('the cookie package’s order (express-session 1.x)', () => {
    assert.equal(
      writeSetCookie('connect.sid', 'v', ALL, COOKIE_PACKAGE_ATTRIBUTE_ORDER),
      'connect.sid=v; Max-Age=0; Domain=example.com; Path=/app; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; Partitioned; Priority=High; SameSite=None',
    );
  });

  it('writes nothing for unset and false attributes, and only the attributes of the order', () => {
    assert.equal(writeSetCookie('a', 'b', { httpOnly: false, secure: false, partitioned: false }), 'a=b');
    assert.equal(writeSetCookie('a', 'b', ALL, ['priority', 'sameSite']), 'a=b; Priority=High; SameSite=None');
  });
});
