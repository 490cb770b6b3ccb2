import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createKeyring } from './keyring.js';
import { SEAL_OVERHEAD_BYTES, base64urlLength, createSealer, hasCanonicalTail } from './sealer.js';

const K1 = 'sealer-key-one-0123456789abcdefghijklmnop';
const K2 = 'sealer-key-two-0123456789abcdefghijklmnop';
const K3 = 'sealer-key-three-0123456789abcdefghijklmn';
const CONTEXT = 'tessera-session\u0000__Host-sid\u00001';

/** Fuzz runs per property; CI runs at least 50 000 mutants (S-4, S-5). */
const TAMPER_RUNS = Number(process.env.TESSERA_FUZZ_RUNS ?? 50_000);

/** Seals in the nonce-uniqueness test; nightly runs set TESSERA_SEAL_RUNS=10000000. */
const SEAL_RUNS = Number(process.env.TESSERA_SEAL_RUNS ?? 20_000);

const sealer = createSealer(createKeyring(K1));

describe('sealer: AES-256-GCM sealed tokens', () => {
  it('round trips any plaintext, and the token length is known before sealing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 600 }), (text) => {
        const token = sealer.seal(text, CONTEXT);
        assert.equal(token.length, sealer.tokenLength(Buffer.byteLength(text, 'utf8')));
        assert.match(token, /^[A-Za-z0-9_-]+$/);
        const opened = sealer.open(token, CONTEXT);
        assert.ok(opened);
        assert.equal(opened.plaintext.toString('utf8'), text);
        assert.equal(opened.stale, false);
      }),
      { numRuns: 2000 },
    );
  });

  it('base64urlLength matches Buffer encoding', () => {
    for (let n = 0; n < 200; n++) assert.equal(base64urlLength(n), Buffer.alloc(n).toString('base64url').length);
  });

  it('property: hasCanonicalTail accepts exactly the texts that re-encode to themselves (20 000 runs)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 0, max: 63 }), (bytes, replacement) => {
        const canonical = Buffer.from(bytes).toString('base64url');
        assert.equal(hasCanonicalTail(canonical), true);
        if (canonical.length === 0) return;
        // Every other last character: canonical only where the decoder gives back the same text.
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        const alias = canonical.slice(0, -1) + alphabet[replacement]!;
        assert.equal(hasCanonicalTail(alias), Buffer.from(alias, 'base64url').toString('base64url') === alias, alias);
      }),
      { numRuns: 20_000 },
    );
    assert.equal(hasCanonicalTail('A'), false, 'a length of 4k+1 is never valid');
  });

  it(`11.3.4 S-17 every seal uses a fresh salt and IV: ${SEAL_RUNS} seals of one plaintext, 0 repeats`, () => {
    const seen = new Set<string>();
    const tokens = new Set<string>();
    for (let i = 0; i < SEAL_RUNS; i++) {
      const token = sealer.seal('same plaintext', CONTEXT);
      const bytes = Buffer.from(token, 'base64url');
      seen.add(bytes.subarray(5, 33).toString('hex'));
      tokens.add(token);
    }
    assert.equal(seen.size, SEAL_RUNS, '(salt, iv) pairs');
    assert.equal(tokens.size, SEAL_RUNS, 'ciphertexts');
  });

  it('11.3.3 every single-bit flip anywhere in the token is rejected', () => {
    const token = sealer.seal(JSON.stringify({ userId: 'alice', role: 'admin' }), CONTEXT);
    const bytes = Buffer.from(token, 'base64url');
    let accepted = 0;
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const copy = Buffer.from(bytes);
        copy[i]! ^= 1 << bit;
        if (sealer.open(copy.toString('base64url'), CONTEXT) !== null) accepted++;
      }
    }
    assert.equal(accepted, 0);
  });

  it('4-J truncated tags (15, 12, 8, 4 bytes) and a missing tag are rejected', () => {
    const bytes = Buffer.from(sealer.seal('payload', CONTEXT), 'base64url');
    for (const tagBytes of [15, 12, 8, 4, 0]) {
      const cut = bytes.subarray(0, bytes.length - (16 - tagBytes));
      assert.equal(sealer.open(cut.toString('base64url'), CONTEXT), null, `tag of ${tagBytes} bytes`);
    }
  });

  it('9.1.2 an unknown format version is rejected', () => {
    const bytes = Buffer.from(sealer.seal('payload', CONTEXT), 'base64url');
    for (const version of [0, 2, 255]) {
      const copy = Buffer.from(bytes);
      copy[0] = version;
      assert.equal(sealer.open(copy.toString('base64url'), CONTEXT), null);
    }
  });

  it('9.2.2 9.2.3 a token sealed for another cookie name or chunk layout does not open', () => {
    const token = sealer.seal('payload', CONTEXT);
    assert.equal(sealer.open(token, 'tessera-session\u0000__Host-admin\u00001'), null);
    assert.equal(sealer.open(token, 'tessera-session\u0000__Host-sid\u00002'), null);
    assert.ok(sealer.open(token, CONTEXT));
  });

  it('9.1.3 11.2.2 rotation: the first key seals, all keys open; a removed key no longer opens', () => {
    const old = createSealer(createKeyring(K1));
    const rotated = createSealer(createKeyring([K2, K1]));
    const retired = createSealer(createKeyring([K2]));
    const oldToken = old.seal('hello', CONTEXT);
    assert.deepEqual(rotated.open(oldToken, CONTEXT), { plaintext: Buffer.from('hello'), stale: true });
    const newToken = rotated.seal('hello', CONTEXT);
    assert.equal(rotated.open(newToken, CONTEXT)?.stale, false);
    assert.equal(old.open(newToken, CONTEXT), null, 'the new token is sealed with the new key');
    assert.equal(retired.open(oldToken, CONTEXT), null, 'a kid not in the keyring is rejected');
    assert.equal(createSealer(createKeyring(K3)).open(oldToken, CONTEXT), null);
  });

  it('keys are per purpose: a token sealed for another purpose does not open', () => {
    const keyring = createKeyring(K1);
    const token = createSealer(keyring, 'flash').seal('x', CONTEXT);
    assert.equal(createSealer(keyring).open(token, CONTEXT), null);
  });

  it('11.2.5 S-4 S-5 fast-check: mutated tokens are never accepted and never throw', () => {
    const plaintexts = ['{"i":"x","d":{}}', JSON.stringify({ userId: 'alice', cart: Array.from({ length: 20 }, (_, i) => i) }), ''];
    const tokens = plaintexts.map((p) => sealer.seal(p, CONTEXT));
    const otherKey = createSealer(createKeyring(K2));
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const char = fc.constantFrom(...alphabet.split(''), '=', '.', ' ', '%', '+', '/', '\t');
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('append' as const), text: fc.string({ unit: char, minLength: 1, maxLength: 4 }) }),
      fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), c: char }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), c: char }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
      fc.record({ kind: fc.constant('case' as const) }),
      fc.record({ kind: fc.constant('pad' as const) }),
      fc.record({ kind: fc.constant('percent' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('splice' as const), other: fc.nat(), at: fc.nat() }),
      fc.record({ kind: fc.constant('rekey' as const) }),
    );
    let accepted = 0;
    fc.assert(
      fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }), (which, mutations) => {
        const original = tokens[which % tokens.length]!;
        let token = original;
        let bytes: Buffer;
        for (const m of mutations) {
          const at = 'at' in m ? m.at % Math.max(1, token.length) : 0;
          switch (m.kind) {
            case 'flip':
              bytes = Buffer.from(token, 'base64url');
              bytes[m.at % bytes.length]! ^= 1 << m.bit;
              token = bytes.toString('base64url');
              break;
            case 'truncate':
              token = token.slice(0, at);
              break;
            case 'append':
              token += m.text;
              break;
            case 'replace':
              token = token.slice(0, at) + m.c + token.slice(at + 1);
              break;
            case 'insert':
              token = token.slice(0, at) + m.c + token.slice(at);
              break;
            case 'delete':
              token = token.slice(0, at) + token.slice(at + 1);
              break;
            case 'swap': {
              // Reorder: move a piece to the end, as reordered chunks would.
              const piece = token.slice(at, at + m.length);
              token = token.slice(0, at) + token.slice(at + m.length) + piece;
              break;
            }
            case 'case':
              token = token === token.toUpperCase() ? token.toLowerCase() : token.toUpperCase();
              break;
            case 'pad':
              token += '=';
              break;
            case 'percent':
              token = `${token.slice(0, at)}%${token.charCodeAt(at).toString(16).padStart(2, '0')}${token.slice(at + 1)}`;
              break;
            case 'splice': {
              const other = tokens[m.other % tokens.length]!;
              token = token.slice(0, at) + other.slice(at);
              break;
            }
            case 'rekey':
              token = otherKey.seal(Buffer.from(token, 'base64url').toString('latin1'), CONTEXT);
              break;
          }
        }
        // Landing exactly on a genuine token is substitution, not forgery.
        if (tokens.includes(token)) return;
        if (sealer.open(token, CONTEXT) !== null) {
          accepted++;
          console.log(`# accepted mutant: ${JSON.stringify(mutations)}`);
        }
      }),
      { numRuns: TAMPER_RUNS },
    );
    assert.equal(accepted, 0, `${accepted} of ${TAMPER_RUNS} mutants accepted`);
    console.log(`# sealer tamper fuzz: ${TAMPER_RUNS} mutants, ${accepted} accepted`);
  });

  it('garbage never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        assert.equal(sealer.open(text, CONTEXT), null);
      }),
      { numRuns: 5000 },
    );
    assert.equal(sealer.open(''.padEnd(SEAL_OVERHEAD_BYTES * 2, 'A'), CONTEXT), null);
  });
});
