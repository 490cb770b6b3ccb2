import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TOKEN_LENGTH, checkToken, isSecret, newSecret, signToken } from './token.js';

const RUNS = 50_000;

/** Ways an attacker can change a token; none may verify. */
function mutate(token: string, kind: number, position: number, char: string): string {
  const p = position % token.length;
  const at = token[p]!;
  switch (kind % 10) {
    case 0: return token + char;
    case 1: return token.slice(0, p);
    case 2: return token.slice(0, p) + String.fromCharCode(at.charCodeAt(0) ^ (1 << (position % 7))) + token.slice(p + 1);
    case 3: return token.slice(0, p) + (at === at.toUpperCase() ? at.toLowerCase() : at.toUpperCase()) + token.slice(p + 1);
    case 4: return token.slice(0, p) + char + token.slice(p + 1);
    case 5: return token.slice(0, -1) + 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[position % 64]!; // non-canonical base64url tail
    case 6: return ` ${token}`;
    case 7: return token.replace('.', '');
    case 8: return token.split('.').reverse().join('.');
    default: return token.replace(/-/g, '+').replace(/_/g, '/');
  }
}

describe('csrf tokens', () => {
  it('round-trips: every token made for a secret verifies against it, and has the fixed length', () => {
    const secret = newSecret();
    assert.ok(isSecret(secret));
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const token = signToken(secret);
      assert.equal(token.length, TOKEN_LENGTH);
      assert.ok(checkToken(secret, token));
      seen.add(token);
    }
    assert.equal(seen.size, 2000, 'a fresh salt per token');
  });

  it(`property: no mutation of a valid token verifies (${RUNS} runs, 0 forgeries, 0 exceptions)`, () => {
    const secret = newSecret();
    let forgeries = 0;
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.string({ minLength: 1, maxLength: 2 }), (kind, position, char) => {
        const token = signToken(secret);
        const mutated = mutate(token, kind, position, char);
        if (mutated !== token && checkToken(secret, mutated)) forgeries++;
        return mutated === token || !checkToken(secret, mutated);
      }),
      { numRuns: RUNS },
    );
    assert.equal(forgeries, 0);
  });

  it(`property: a token never verifies under another secret (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.nat(), () => !checkToken(newSecret(), signToken(newSecret()))),
      { numRuns: RUNS },
    );
  });

  it(`property: arbitrary input never verifies and never throws (${RUNS} runs)`, () => {
    const secret = newSecret();
    const tokenShaped = fc.tuple(fc.stringMatching(/^[A-Za-z0-9_-]{22}$/), fc.stringMatching(/^[A-Za-z0-9_-]{43}$/)).map(([a, b]) => `${a}.${b}`);
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string({ maxLength: 120, unit: 'binary' }), tokenShaped), (input) => checkToken(secret, input) === false),
      { numRuns: RUNS },
    );
  });

  it(`property: a malformed secret verifies nothing and never throws (${RUNS} runs)`, () => {
    const token = signToken(newSecret());
    fc.assert(
      fc.property(fc.string({ maxLength: 60, unit: 'binary' }), (secret) => checkToken(secret, token) === false),
      { numRuns: RUNS },
    );
  });
});
