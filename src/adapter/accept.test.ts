import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { prefersJson } from './accept.js';

describe('prefersJson (Accept header)', () => {
  it('JSON when the highest-rated range, first among equals, is a JSON type', () => {
    // axios sends the second; an unreadable quality (q=2) counts as 1.
    for (const accept of ['application/json', 'application/json, text/plain, */*', 'application/problem+json', 'text/html;q=0.5, application/json', 'APPLICATION/JSON; charset=utf-8', 'application/json;q=2']) {
      assert.equal(prefersJson(accept), true, accept);
    }
  });

  it('text for browsers, */*, no header, a zero quality and garbage', () => {
    const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
    for (const accept of [browser, '*/*', '', undefined, null, 'application/json;q=0', 'text/plain, application/json', 'json', ';;;,,,']) {
      assert.equal(prefersJson(accept), false, String(accept));
    }
  });

  it('property: never throws, and answers the same for any string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (accept) => {
        const answer = prefersJson(accept);
        assert.equal(typeof answer, 'boolean');
        assert.equal(prefersJson(accept), answer);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: a JSON range listed first with the top quality wins over any later ranges', () => {
    const range = fc.constantFrom('text/html', 'text/plain', '*/*', 'image/png', 'application/xml');
    fc.assert(fc.property(fc.array(range, { maxLength: 10 }), (others) => prefersJson(['application/json', ...others].join(', '))), { numRuns: 500 });
  });
});
