import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createKeyring } from './keyring.js';
import { createRecordCipher } from './record-cipher.js';

const K1 = 'record-cipher-key-one-0123456789abcdefghij';
const K2 = 'record-cipher-key-two-0123456789abcdefghij';
const cipher = createRecordCipher(createKeyring(K1), 'store-record');
const RUNS = Number(process.env.TESSERA_FUZZ_RUNS ?? 20_000);
/** What a record's JSON may hold: any text JSON.stringify writes (well-formed UTF-16). */
const text = fc.string({ unit: 'grapheme', maxLength: 300 });

describe('record cipher: deterministic authenticated encryption of store values (SM-36)', () => {
  it('round trips any text under any context, and the same inputs give the same token', () => {
    fc.assert(
      fc.property(text, text, (plaintext, context) => {
        const token = cipher.seal(plaintext, context);
        assert.match(token, /^[A-Za-z0-9_-]+$/);
        assert.equal(cipher.seal(plaintext, context), token, 'deterministic: a compare-and-set can name the stored text');
        assert.equal(cipher.open(token, context), plaintext);
      }),
      { numRuns: 2000 },
    );
  });

  it('SM-36 the token holds no plaintext: a marker string does not appear in it, raw or base64url', () => {
    const marker = 'PLAINTEXT-MARKER-4242';
    const token = cipher.seal(JSON.stringify({ d: { note: marker } }), 'value:k');
    assert.ok(!token.includes(marker));
    assert.ok(!Buffer.from(token, 'base64url').toString('latin1').includes(marker));
    assert.ok(!token.includes(Buffer.from(marker).toString('base64url').slice(0, 12)));
  });

  it('a token opens only under its own context: another store key, or a prefix of it, gives null', () => {
    fc.assert(
      fc.property(text, text, text, (plaintext, a, b) => {
        fc.pre(a !== b);
        assert.equal(cipher.open(cipher.seal(plaintext, a), b), null);
      }),
      { numRuns: 2000 },
    );
    // The context's length is bound, so moving bytes between context and plaintext fails too.
    assert.equal(cipher.open(cipher.seal('bc', 'a'), 'ab'), null);
  });

  it(`SM-36 every single-bit flip anywhere in a token is refused (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(text, fc.nat(), fc.nat({ max: 7 }), (plaintext, at, bit) => {
        const bytes = Buffer.from(cipher.seal(plaintext, 'value:key'), 'base64url');
        bytes[at % bytes.length]! ^= 1 << bit;
        assert.equal(cipher.open(bytes.toString('base64url'), 'value:key'), null);
      }),
      { numRuns: RUNS },
    );
  });

  it('any string that is not a token gives null and never throws, truncations included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (garbage) => {
        assert.equal(cipher.open(garbage, 'value:key'), null);
      }),
      { numRuns: 5000 },
    );
    const token = cipher.seal('{"v":1}', 'value:key');
    for (let n = 0; n < token.length; n++) assert.equal(cipher.open(token.slice(0, n), 'value:key'), null, `cut at ${n}`);
    assert.equal(cipher.open(`${token}A`, 'value:key'), null);
    assert.equal(cipher.open(null as unknown as string, 'value:key'), null);
  });

  it('key rotation: the new first secret seals, the old one still opens; sealAll lists the token of each key, current first', () => {
    const before = createRecordCipher(createKeyring(K1), 'store-record');
    const after = createRecordCipher(createKeyring([K2, K1]), 'store-record');
    const old = before.seal('{"v":1}', 'value:k');
    assert.equal(after.open(old, 'value:k'), '{"v":1}');
    assert.notEqual(after.seal('{"v":1}', 'value:k'), old);
    assert.deepEqual(after.sealAll('{"v":1}', 'value:k'), [after.seal('{"v":1}', 'value:k'), old]);
    assert.equal(createRecordCipher(createKeyring(K2), 'store-record').open(old, 'value:k'), null, 'a removed key opens nothing');
  });

  it('purposes are separate keys: a token of one purpose does not open under another', () => {
    const other = createRecordCipher(createKeyring(K1), 'another-purpose');
    assert.equal(other.open(cipher.seal('{"v":1}', 'value:k'), 'value:k'), null);
  });
});
