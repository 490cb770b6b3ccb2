// The drop-in's Set-Cookie serialiser against the one express-session 1.19 really calls (the
// `cookie` package it depends on, loaded from express-session's own dependencies): the same
// header, or the same TypeError, for valid and invalid options alike.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { serializeCookie } from './cookie-serialize.js';
import type { SerializeOptions } from './cookie-serialize.js';

const fromExpressSession = createRequire(createRequire(import.meta.url).resolve('express-session'));
const cookie = fromExpressSession('cookie') as { serialize(name: string, value: string, options?: object): string };

/** The header, or the TypeError's message. */
function outcome(serialize: () => string): string {
  try {
    return serialize();
  } catch (error) {
    assert.ok(error instanceof TypeError);
    return `TypeError: ${error.message}`;
  }
}

const word = (words: string[]) => fc.oneof(fc.constantFrom(...words), fc.string({ maxLength: 8 }));

describe('express-session compat: Set-Cookie serialisation', () => {
  it('matches the cookie package express-session uses on a fixed case', () => {
    const options: SerializeOptions = { maxAge: 3600.7, domain: '.example.com', path: '/', expires: new Date(0), httpOnly: true, secure: true, partitioned: true, priority: 'Medium', sameSite: true };
    assert.equal(serializeCookie('connect.sid', 's:a.b', options), cookie.serialize('connect.sid', 's:a.b', options));
  });

  it('refuses what looks like a priority or sameSite but is a property of Object.prototype', () => {
    for (const key of ['constructor', '__proto__', 'toString']) {
      assert.throws(() => serializeCookie('a', 'b', { priority: key }), /option priority is invalid/);
      assert.throws(() => serializeCookie('a', 'b', { sameSite: key }), /option sameSite is invalid/);
    }
  });

  it('property: the same header or the same TypeError as the cookie package (30 000 runs)', () => {
    const options = fc.record(
      {
        maxAge: fc.oneof(fc.constant(null), fc.double(), fc.integer({ min: -1e6, max: 1e9 })),
        domain: word(['example.com', '.example.com', 'a..b', 'x.com; Secure', '127.0.0.1', '']),
        path: word(['/', '/app', '/;HttpOnly', '/a b', '']),
        expires: fc.oneof(fc.constant(null), fc.date()),
        httpOnly: fc.boolean(),
        secure: fc.oneof(fc.boolean(), fc.constant('auto' as const)),
        partitioned: fc.boolean(),
        priority: word(['low', 'Medium', 'HIGH', 'constructor', '']),
        sameSite: fc.oneof(fc.boolean(), word(['lax', 'Strict', 'NONE', 'auto', '__proto__', ''])),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(word(['connect.sid', 'sid', 'a;b', '']), fc.string({ maxLength: 20 }), options, (name, value, given) => {
        assert.equal(outcome(() => serializeCookie(name, value, given as SerializeOptions)), outcome(() => cookie.serialize(name, value, given)));
      }),
      { numRuns: 30_000 },
    );
  });
});
