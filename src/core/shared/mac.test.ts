import assert from 'node:assert/strict';
import { createHmac, createSecretKey } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { macTag, verifyMacTag } from './mac.js';

describe('shared MAC', () => {
  it('is HMAC-SHA-256 as unpadded base64 or base64url text', () => {
    const base64 = createHmac('sha256', 'k').update('apple').digest('base64');
    assert.ok(base64.endsWith('='));
    assert.equal(macTag('k', 'apple', 'base64'), base64.slice(0, -1));
    assert.equal(macTag('k', 'apple', 'base64url'), createHmac('sha256', 'k').update('apple').digest('base64url'));
    assert.equal(macTag(Buffer.from('k'), 'apple', 'base64'), macTag(createSecretKey(Buffer.from('k')), 'apple', 'base64'));
  });

  it('verifies the canonical tag only: not padded, not the other alphabet, not another key or message', () => {
    const tag = macTag('k', 'apple', 'base64');
    assert.equal(verifyMacTag('k', 'apple', tag, 'base64'), true);
    assert.equal(verifyMacTag('k', 'apple', `${tag}=`, 'base64'), false);
    assert.equal(verifyMacTag('k', 'apple', macTag('k', 'apple', 'base64url'), 'base64'), tag === macTag('k', 'apple', 'base64url'));
    assert.equal(verifyMacTag('other', 'apple', tag, 'base64'), false);
    assert.equal(verifyMacTag('k', 'apples', tag, 'base64'), false);
    assert.equal(verifyMacTag('k', 'apple', '', 'base64'), false);
  });

  it('property: a tag verifies exactly when it is the MAC, whatever the text (20 000 runs)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ maxLength: 50 }), fc.constantFrom('base64', 'base64url') as fc.Arbitrary<'base64' | 'base64url'>, (message, tag, alphabet) => {
        const real = macTag('key', message, alphabet);
        assert.equal(verifyMacTag('key', message, real, alphabet), true);
        assert.equal(verifyMacTag('key', message, tag, alphabet), tag === real);
      }),
      { numRuns: 20_000 },
    );
  });
});
