import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { deviceKey, refreshProof, registrationProof, signJws, unsignedProof } from '../../test/support/dbsc-proof.js';
import { verifyRefreshProof, verifyRegistrationProof } from './proof.js';

const NOW = Date.UTC(2026, 0, 1);
const b64 = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), maxLength: 120 });

describe('DBSC proofs (jose): registration and refresh', () => {
  it('a valid ES256 registration proof verifies, with its key thumbprint; the same key refreshes', async () => {
    const key = await deviceKey('ES256');
    const proof = await verifyRegistrationProof(await registrationProof(key, 'c1'), ['ES256', 'RS256'], NOW);
    assert.ok(proof.ok);
    assert.equal(proof.jti, 'c1');
    assert.match(proof.key.thumbprint, /^[A-Za-z0-9_-]{43}$/);
    const binding = { id: 'x'.repeat(24), ...proof.key, boundAt: NOW, used: [] };
    const refreshed = await verifyRefreshProof(await refreshProof(key, 'c2'), binding, NOW);
    assert.deepEqual(refreshed.ok && refreshed.jti, 'c2');
    assert.deepEqual(await verifyRefreshProof(await registrationProof(key, 'c2'), binding, NOW), { ok: false, reason: 'jwk' }, 'a refresh proof must not carry jwk');
    assert.deepEqual(await verifyRegistrationProof(unsignedProof({}, 'c'), ['ES256'], NOW), { ok: false, reason: 'alg' });
    const expired = await signJws(key, { alg: 'ES256', typ: 'dbsc+jwt', jwk: key.publicJwk }, { jti: 'c', exp: NOW / 1000 - 10 });
    assert.deepEqual(await verifyRegistrationProof(expired, ['ES256'], NOW), { ok: false, reason: 'signature' }, 'time claims are checked against the injected clock');
  });

  it('property: random text and random three-part tokens never verify and never throw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 400 }), fc.tuple(b64, b64, b64).map((parts) => parts.join('.'))), async (token) => {
        const answer = await verifyRegistrationProof(token, ['ES256', 'RS256'], NOW);
        assert.equal(answer.ok, false);
      }),
      { numRuns: 300 },
    );
  });

  it('property: any one-character change of a valid proof is refused', async () => {
    const key = await deviceKey('ES256');
    const token = await registrationProof(key, 'challenge');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: token.length - 1 }), fc.constantFrom(...alphabet), async (at, c) => {
        fc.pre(token[at] !== '.' && token[at] !== c);
        const changed = token.slice(0, at) + c + token.slice(at + 1);
        const answer = await verifyRegistrationProof(changed, ['ES256'], NOW);
        // Only a change of the unused low bits of a part's last base64url character (the same bytes) may still verify.
        const sameBytes = changed.split('.').every((part, i) => Buffer.from(part, 'base64url').equals(Buffer.from(token.split('.')[i]!, 'base64url')));
        if (answer.ok) assert.ok(sameBytes, `a changed proof verified: position ${at}`);
        else assert.ok(['malformed', 'typ', 'alg', 'jwk', 'signature'].includes(answer.reason));
      }),
      { numRuns: 200 },
    );
  });
});
