import assert from 'node:assert/strict';
import { createSecretKey } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { sign, unsign } from './signature.js';

// cookie-signature as express-session 1.19 loads it (its own dependency, 1.0.x).
const fromExpressSession = createRequire(createRequire(import.meta.url).resolve('express-session'));
const real = fromExpressSession('cookie-signature') as { sign(value: string, secret: unknown): string; unsign(signed: string, secret: unknown): string | false };

const SECRETS = ['keyboard cat', 'an older secret'];

describe('express-session signature', () => {
  it('round-trips, and verifies with any secret of the list', () => {
    assert.equal(unsign(sign('abc', 'keyboard cat'), SECRETS), 'abc');
    assert.equal(unsign(sign('abc', 'an older secret'), SECRETS), 'abc');
    assert.equal(unsign(sign('abc', 'another'), SECRETS), false);
  });

  it('property: no mutation of a signed value verifies, nothing throws (50 000 runs)', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);
    fc.assert(
      fc.property(id, fc.nat(), fc.string({ minLength: 1, maxLength: 3 }), fc.nat(4), (value, position, extra, kind) => {
        const signed = sign(value, SECRETS[0]!);
        const p = position % signed.length;
        const mutated = [
          signed + extra, // trailing garbage (cookie-signature#40, GHSA-63x4-8g8c-vhww)
          signed.slice(0, p), // truncation
          signed.slice(0, p) + String.fromCharCode(signed.charCodeAt(p) ^ 1) + signed.slice(p + 1), // bit flip
          `${signed}=`, // padding
          extra + signed, // leading garbage
        ][kind]!;
        if (mutated === signed) return true;
        const result = unsign(mutated, SECRETS);
        return result === false;
      }),
      { numRuns: 50_000 },
    );
  });

  it('property: arbitrary strings never verify (20 000 runs)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (value) => unsign(value, SECRETS) === false),
      { numRuns: 20_000 },
    );
  });

  it('property: byte-identical to cookie-signature, for string, Buffer and KeyObject secrets (10 000 runs)', () => {
    const secret = fc.oneof(
      fc.string({ minLength: 1, maxLength: 20 }),
      fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
      fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes) => createSecretKey(Buffer.from(bytes))),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), secret, fc.string({ maxLength: 60 }), (value, key, other) => {
        const signed = sign(value, key);
        assert.equal(signed, real.sign(value, key));
        assert.equal(unsign(signed, [key]), real.unsign(signed, key));
        assert.equal(unsign(other, [key]), real.unsign(other, key));
        assert.equal(unsign(`${signed}x`, [key]), real.unsign(`${signed}x`, key));
      }),
      { numRuns: 10_000 },
    );
  });
});
