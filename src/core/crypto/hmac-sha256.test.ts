import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { hmacSha256 } from './hmac-sha256.js';

const reference = (key: Uint8Array, message: string): string => createHmac('sha256', key).update(message, 'latin1').digest('base64url');

describe('hmacSha256 (one-shot HMAC-SHA-256)', () => {
  it('matches the RFC 4231 test case 2 vector', () => {
    const mac = hmacSha256(Buffer.from('Jefe'));
    const expected = Buffer.from('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843', 'hex').toString('base64url');
    assert.equal(mac.text('what do ya want for nothing?'), expected);
    assert.equal(mac.bytes(Buffer.from('what do ya want for nothing?')).toString('base64url'), expected);
  });

  it('property: equals createHmac for random keys (0-64 bytes) and ASCII messages (0-300 chars), 20 000 runs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), fc.array(fc.string({ unit: 'binary-ascii', maxLength: 300 }), { minLength: 1, maxLength: 4 }), (key, messages) => {
        const mac = hmacSha256(key);
        // Several messages through one instance: its reused buffers never leak one call into the next.
        for (const message of messages) assert.equal(mac.text(message), reference(key, message));
      }),
      { numRuns: 20_000 },
    );
  });

  it('property: bytes() equals createHmac for random keys and byte messages, interleaved with text(), 20 000 runs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), fc.uint8Array({ maxLength: 300 }), fc.string({ unit: 'binary-ascii', maxLength: 100 }), (key, bytes, text) => {
        const mac = hmacSha256(key);
        assert.equal(mac.bytes(bytes).toString('base64url'), createHmac('sha256', key).update(bytes).digest('base64url'));
        assert.equal(mac.text(text), reference(key, text));
        assert.equal(mac.bytes(bytes).toString('base64url'), createHmac('sha256', key).update(bytes).digest('base64url'));
      }),
      { numRuns: 20_000 },
    );
  });

  it('a long message after short ones, and short ones after it, still match', () => {
    const key = randomBytes(32);
    const mac = hmacSha256(key);
    for (const message of ['a', 'x'.repeat(5000), 'b', '', 'y'.repeat(64)]) assert.equal(mac.text(message), reference(key, message));
  });

  it('refuses non-ASCII messages and keys longer than a block instead of computing another MAC', () => {
    const mac = hmacSha256(randomBytes(32));
    assert.throws(() => mac.text('é'), RangeError);
    assert.throws(() => mac.text('\u20ac'), RangeError);
    assert.throws(() => hmacSha256(randomBytes(65)), RangeError);
  });
});
