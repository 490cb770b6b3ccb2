import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createKeyring } from './keyring.js';
import { generateSessionId } from './random.js';
import { createIdSigner } from './signer.js';

const SECRET = 'signer-test-secret-0123456789abcdefghij';
const signer = createIdSigner(createKeyring(SECRET));

/** Ways an attacker can change a signed value; none may verify. */
const mutate = (signed: string, kind: number, position: number, char: string): string => {
  const p = position % signed.length;
  switch (kind % 9) {
    case 0: return signed + char;
    case 1: return signed.slice(0, p);
    case 2: return signed.slice(0, p) + String.fromCharCode(signed.charCodeAt(p) ^ (1 << (position % 7))) + signed.slice(p + 1);
    case 3: return signed.slice(0, p) + (signed[p] === signed[p]!.toUpperCase() ? signed[p]!.toLowerCase() : signed[p]!.toUpperCase()) + signed.slice(p + 1);
    case 4: return `${signed}=`;
    case 5: return encodeURIComponent(signed).replace(/\./g, '%2E');
    case 6: return signed.slice(0, p) + ' ' + signed.slice(p);
    case 7: return char + signed.slice(1);
    default: return signed.replace('-', '+').replace('_', '/');
  }
};

describe('id signer', () => {
  it('round-trips generated IDs', () => {
    for (let i = 0; i < 1000; i++) {
      const id = generateSessionId();
      assert.deepEqual(signer.verify(signer.sign(id)), { id, stale: false });
    }
  });

  it('property: no mutation of a signed ID verifies (50 000 runs, 0 forgeries, 0 exceptions)', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.string({ minLength: 1, maxLength: 2 }), (kind, position, char) => {
        const signed = signer.sign(generateSessionId());
        const mutated = mutate(signed, kind, position, char);
        if (mutated === signed) return true;
        return signer.verify(mutated) === null;
      }),
      { numRuns: 50_000 },
    );
  });

  it('property: arbitrary strings never verify and never throw (50 000 runs)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 120 }), fc.string({ minLength: 87, maxLength: 87, unit: 'binary' }), fc.stringMatching(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/)), (value) => signer.verify(value) === null),
      { numRuns: 50_000 },
    );
  });

  it('rejects a value signed with another secret, and a non-canonical tag encoding', () => {
    const other = createIdSigner(createKeyring(randomBytes(32)));
    const id = generateSessionId();
    assert.equal(signer.verify(other.sign(id)), null);
    const signed = signer.sign(id);
    const last = signed.at(-1)!;
    // The 43rd base64url character carries 2 unused bits; flipping them must not verify.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const index = alphabet.indexOf(last);
    const alias = alphabet[(index & ~3) + ((index & 3) ^ 1)]!;
    assert.equal(signer.verify(signed.slice(0, -1) + alias), null);
  });

  it('11.2.2 rotation: old-key values verify as stale; once the key is removed they fail', () => {
    const oldSigner = createIdSigner(createKeyring('old-signer-secret-0123456789abcdefghij'));
    const rotated = createIdSigner(createKeyring([SECRET, 'old-signer-secret-0123456789abcdefghij']));
    const id = generateSessionId();
    assert.deepEqual(rotated.verify(oldSigner.sign(id)), { id, stale: true });
    assert.deepEqual(rotated.verify(rotated.sign(id)), { id, stale: false });
    assert.equal(signer.verify(oldSigner.sign(id)), null);
  });
});

describe('keyring', () => {
  it('11.2.3 refuses secrets shorter than 32 bytes with a message that says what to do', () => {
    assert.throws(() => createKeyring('short'), (error: Error & { code?: string }) => error.code === 'ERR_SESSION_CONFIG' && /at least 32 bytes; got 5/.test(error.message));
    assert.throws(() => createKeyring([SECRET, 'x'.repeat(31)]), /secret #1 must be at least 32 bytes/);
    assert.throws(() => createKeyring([]), /secrets is required/);
    assert.throws(() => createKeyring('complex_password_at_least_32_characters_long'), /sample secret/);
  });

  it('11.2.3 refuses a long secret that is a short pattern repeated or has few distinct characters', () => {
    const refused = (secret: string | Uint8Array, why: RegExp) =>
      assert.throws(() => createKeyring([SECRET, secret]), (error: Error & { code?: string }) => error.code === 'ERR_SESSION_CONFIG' && /secret #1/.test(error.message) && why.test(error.message));
    refused('secret'.repeat(6), /only 5 distinct characters/);
    refused(new Uint8Array(32), /only 1 distinct characters/);
    refused('0123456789abcdef'.repeat(2), /repeats a 16-byte pattern/);
    refused('my app secret, v1 '.repeat(3), /repeats a 18-byte pattern/);
    refused('keyboard cat '.repeat(3), /repeats a 13-byte pattern/);
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 31, unit: 'grapheme-ascii' }), (unit) => {
        const secret = unit.repeat(Math.ceil(64 / unit.length));
        assert.throws(() => createKeyring(secret), /distinct characters|repeats a/);
      }),
    );
  });

  it('11.2.3 accepts random secrets in the usual encodings, the shortest hex included', () => {
    for (let i = 0; i < 5_000; i++) {
      createKeyring([randomBytes(16).toString('hex'), randomBytes(32).toString('base64url'), randomBytes(32)]);
    }
    createKeyring('correct horse battery staple, then some more words');
  });

  it('derives different keys per purpose from one secret', () => {
    const ring = createKeyring(SECRET);
    assert.notDeepEqual(ring.derive('a')[0], ring.derive('b')[0]);
    assert.equal(ring.derive('a')[0], ring.derive('a')[0], 'cached');
  });
});

describe('session IDs', () => {
  it('SM-01 SM-03 100 000 IDs: 43 base64url characters, 32 bytes, no duplicates, balanced bits', () => {
    const seen = new Set<string>();
    const ones = new Array<number>(256).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const id = generateSessionId();
      assert.match(id, /^[A-Za-z0-9_-]{43}$/);
      seen.add(id);
      const bytes = Buffer.from(id, 'base64url');
      assert.equal(bytes.length, 32);
      for (let b = 0; b < 256; b++) if (bytes[b >> 3]! & (1 << (b & 7))) ones[b]!++;
    }
    assert.equal(seen.size, n);
    for (const count of ones) assert.ok(count / n > 0.49 && count / n < 0.51, `bit frequency ${count / n}`);
  });

  it('SM-02 IDs come from the CSPRNG, not Math.random', () => {
    const original = Math.random;
    Math.random = () => {
      throw new Error('Math.random used');
    };
    try {
      assert.match(generateSessionId(), /^[A-Za-z0-9_-]{43}$/);
    } finally {
      Math.random = original;
    }
  });
});

describe('id signer: text tricks', () => {
  it('a tag character swapped for a non-ASCII one with the same low byte never verifies', () => {
    const signed = signer.sign(generateSessionId());
    for (let p = 44; p < signed.length; p++) {
      const swapped = signed.slice(0, p) + String.fromCharCode(signed.charCodeAt(p) + 0x100) + signed.slice(p + 1);
      assert.equal(signer.verify(swapped), null);
    }
  });
});
