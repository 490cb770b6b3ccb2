import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cookieExpiresAt } from './cookie-expiry.js';

describe('cookieExpiresAt', () => {
  it('reads a Date and its JSON string the same', () => {
    const at = Date.UTC(2027, 0, 2, 3, 4, 5, 6);
    assert.equal(cookieExpiresAt(new Date(at)), at);
    assert.equal(cookieExpiresAt(JSON.parse(JSON.stringify(new Date(at))) as unknown), at);
    assert.equal(cookieExpiresAt('Sat, 02 Jan 2027 03:04:05 GMT'), at - 6);
  });

  it('missing, invalid or of another type: undefined', () => {
    for (const value of [undefined, null, '', 'tomorrow', new Date(NaN), 1_800_000_000_000, {}, true]) {
      assert.equal(cookieExpiresAt(value), undefined, String(value));
    }
  });

  it('property: any valid Date survives a JSON round trip (10 000 runs)', () => {
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true }), (date) => cookieExpiresAt(JSON.parse(JSON.stringify({ expires: date })).expires) === date.getTime()),
      { numRuns: 10_000 },
    );
  });
});
