// The DBSC test client (test/support/dbsc-client.ts): its proofs verify with jose the way a server
// verifies them, and its header reading follows Chromium's (unit cases and fast-check properties).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import type { JWK } from 'jose';
import {
  generateDbscKey,
  parseChallengeHeader,
  parseRegistrationHeader,
  readChallenges,
  readRegistration,
  refreshProof,
  registrationProof,
  serializeChallenges,
  serializeRegistration,
  signDbscJws,
} from './support/dbsc-client.js';
import type { DbscKey } from './support/dbsc-client.js';
import { parseSfList, serializeSfList } from './support/dbsc-structured-fields.js';
import type { SfBareItem, SfItem, SfMember } from './support/dbsc-structured-fields.js';

const ORIGIN = 'https://app.example.com';
const decode = (payload: Uint8Array) => JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;

async function verifyRegistration(jws: string) {
  const header = decodeProtectedHeader(jws);
  const key = await importJWK(header.jwk as JWK, header.alg);
  const { payload } = await compactVerify(jws, key, { algorithms: ['ES256', 'RS256'] });
  return { header, claims: decode(payload) };
}

describe('DBSC client: proofs', () => {
  const keys: Partial<Record<'ES256' | 'RS256', DbscKey>> = {};
  before(async () => {
    keys.ES256 = await generateDbscKey('ES256');
    keys.RS256 = await generateDbscKey('RS256');
  });

  for (const alg of ['ES256', 'RS256'] as const) {
    it(`${alg}: the registration proof carries typ dbsc+jwt and the public jwk, and verifies with it`, async () => {
      const key = keys[alg]!;
      const { header, claims } = await verifyRegistration(await registrationProof(key, 'c-1', 'code-7'));
      assert.equal(header.typ, 'dbsc+jwt');
      assert.equal(header.alg, alg);
      assert.deepEqual(Object.keys(header.jwk as object).sort(), alg === 'ES256' ? ['crv', 'kty', 'x', 'y'] : ['e', 'kty', 'n']);
      assert.deepEqual(claims, { jti: 'c-1', authorization: 'code-7' });
    });

    it(`${alg}: a refresh proof has no jwk and verifies with the bound public key only`, async () => {
      const key = keys[alg]!;
      const jws = await refreshProof(key, 'c-2');
      const header = decodeProtectedHeader(jws);
      assert.deepEqual(header, { alg, typ: 'dbsc+jwt' });
      const { payload } = await compactVerify(jws, key.publicKey, { algorithms: [alg] });
      assert.deepEqual(decode(payload), { jti: 'c-2' });
      const other = await generateDbscKey(alg);
      await assert.rejects(compactVerify(jws, other.publicKey, { algorithms: [alg] }));
    });
  }

  it('the private key cannot be exported (as in a browser key store)', async () => {
    assert.equal(keys.ES256!.privateKey.extractable, false);
  });

  it('property: any challenge round-trips through a proof, and any changed signature byte fails', async () => {
    const key = keys.ES256!;
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 64 }), fc.nat(63), async (challenge, at) => {
        const jws = await registrationProof(key, challenge);
        assert.equal((await verifyRegistration(jws)).claims.jti, challenge);
        const [h, p, s] = jws.split('.') as [string, string, string];
        const sig = Buffer.from(s, 'base64url');
        sig[at % sig.length]! ^= 0x01;
        await assert.rejects(compactVerify(`${h}.${p}.${sig.toString('base64url')}`, key.publicKey));
      }),
      { numRuns: 40 },
    );
  });

  it('signDbscJws signs any header and payload (for bent proofs)', async () => {
    const jws = await signDbscJws(keys.ES256!, { alg: 'ES256', typ: 'JWT' }, { jti: 'x', extra: 1 });
    const { payload } = await compactVerify(jws, keys.ES256!.publicKey);
    assert.deepEqual(decode(payload), { jti: 'x', extra: 1 });
  });
});

describe('DBSC client: reading Secure-Session-Registration', () => {
  const at = `${ORIGIN}/login`;

  it('reads algorithms, path, challenge and authorization, resolving the path', () => {
    assert.deepEqual(parseRegistrationHeader('(ES256 RS256);path="/dbsc/register";challenge="c1";authorization="a1"', at), [
      { algorithms: ['ES256', 'RS256'], endpoint: `${ORIGIN}/dbsc/register`, challenge: 'c1', authorization: 'a1' },
    ]);
    assert.equal(parseRegistrationHeader('(ES256);path="register";challenge="c"', `${ORIGIN}/a/b`)[0]?.endpoint, `${ORIGIN}/a/register`);
  });

  it('keeps several offers, skips an unknown algorithm and members without a usable algorithm or path', () => {
    const offers = parseRegistrationHeader(
      '(ES256 bf512);path="/r1";challenge="c1", (PS512);path="/r2", (RS256);challenge="no-path", ES256;path="/not-inner", (RS256);path=tok, (RS256);path="/r3"',
      at,
    );
    assert.deepEqual(
      offers.map((o) => [o.algorithms, o.endpoint]),
      [
        [['ES256'], `${ORIGIN}/r1`],
        [['RS256'], `${ORIGIN}/r3`],
      ],
    );
  });

  it('refuses a cross-site or insecure registration endpoint, accepts a same-site one', () => {
    assert.deepEqual(parseRegistrationHeader('(ES256);path="https://evil.example.net/r";challenge="c"', at), []);
    assert.deepEqual(parseRegistrationHeader('(ES256);path="http://app.example.com/r";challenge="c"', at), []);
    assert.equal(parseRegistrationHeader('(ES256);path="https://auth.example.com/r"', at)[0]?.endpoint, 'https://auth.example.com/r');
  });

  it('a malformed value or request URL gives no offer, not an error', () => {
    for (const bad of ['(ES256;path="/r"', '(ES256);path="/r",', '(ES256);path="unterminated', '(ES256);PATH="/r"', '']) {
      assert.deepEqual(parseRegistrationHeader(bad, at), []);
    }
    assert.deepEqual(parseRegistrationHeader('(ES256);path="/r"', 'not a url'), []);
  });

  it('reads the legacy Sec-Session-Registration only when the standard header is absent', () => {
    const legacy = { 'sec-session-registration': '(RS256);path="/old";challenge="l"' };
    assert.equal(readRegistration(legacy, at)[0]?.endpoint, `${ORIGIN}/old`);
    const both = new Headers({ ...legacy, 'secure-session-registration': '(ES256);path="/new";challenge="n"' });
    assert.deepEqual(
      readRegistration(both, at).map((o) => o.endpoint),
      [`${ORIGIN}/new`],
    );
    assert.deepEqual(readRegistration({}, at), []);
  });
});

describe('DBSC client: reading Secure-Session-Challenge', () => {
  it('reads string items and their id, skips other items', () => {
    assert.deepEqual(parseChallengeHeader('"c1";id="s1", "c2", token;id="s3", "c4";id=4'), [
      { challenge: 'c1', sessionId: 's1' },
      { challenge: 'c2' },
    ]);
    assert.deepEqual(readChallenges(new Headers({ 'sec-session-challenge': '"old";id="s"' })), [{ challenge: 'old', sessionId: 's' }]);
    assert.deepEqual(parseChallengeHeader('"open'), []);
  });
});

// Generators for the properties: values Structured Fields can carry.
const sfString = fc.string({ maxLength: 24, unit: fc.constantFrom(...' !#$%&()*+,-./09:;<=>?@AZ[\\]^_`az{|}~"'.split('')) });
const sfToken = fc.stringMatching(/^[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]{0,10}$/);
const sfKey = fc.stringMatching(/^[a-z*][a-z0-9_\-.*]{0,6}$/);
const sfBare: fc.Arbitrary<SfBareItem> = fc.oneof(
  fc.integer({ min: -1e9, max: 1e9 }).map((value) => ({ type: 'integer' as const, value })),
  fc.integer({ min: -99999, max: 99999 }).map((n) => ({ type: 'decimal' as const, value: n / 1000 })),
  sfString.map((value) => ({ type: 'string' as const, value })),
  sfToken.map((value) => ({ type: 'token' as const, value })),
  fc.uint8Array({ maxLength: 12 }).map((value) => ({ type: 'bytes' as const, value })),
  fc.boolean().map((value) => ({ type: 'boolean' as const, value })),
);
const sfParams = fc.uniqueArray(fc.tuple(sfKey, sfBare), { maxLength: 3, selector: ([k]) => k });
const sfItem: fc.Arbitrary<SfItem> = fc.record({ kind: fc.constant('item' as const), value: sfBare, params: sfParams }).map((r) => ({ ...r }));
const sfMember: fc.Arbitrary<SfMember> = fc.oneof(
  sfItem,
  fc.record({ kind: fc.constant('inner' as const), items: fc.array(sfItem, { maxLength: 3 }), params: sfParams }).map((r) => ({ ...r })),
);

describe('DBSC client: properties', () => {
  it('property: any SF list round-trips through serialize and parse', () => {
    fc.assert(
      fc.property(fc.array(sfMember, { maxLength: 4 }), (list) => {
        const parsed = parseSfList(serializeSfList(list));
        assert.deepEqual(parsed, list);
      }),
    );
  });

  it('property: registration offers round-trip through the header a server builds', () => {
    const alg = fc.constantFrom('ES256', 'RS256');
    fc.assert(
      fc.property(
        fc.array(
          fc.record(
            { algorithms: fc.uniqueArray(alg, { minLength: 1, maxLength: 2 }), path: fc.stringMatching(/^\/([a-z0-9_-][a-z0-9/_-]{0,12})?$/), challenge: sfString, authorization: sfString },
            { requiredKeys: ['algorithms', 'path'] },
          ).map((r) => ({ ...r })),
          { maxLength: 3 },
        ),
        (offers) => {
          const parsed = parseRegistrationHeader(serializeRegistration(offers), `${ORIGIN}/login`);
          assert.deepEqual(
            parsed,
            offers.map((o) => ({ ...o, path: undefined, endpoint: new URL(o.path, ORIGIN).href })).map(({ path: _path, ...rest }) => rest),
          );
        },
      ),
    );
  });

  it('property: challenges round-trip through the header a server builds', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ challenge: sfString, sessionId: sfString }, { requiredKeys: ['challenge'] }).map((r) => ({ ...r })), { maxLength: 4 }), (list) => {
        assert.deepEqual(parseChallengeHeader(serializeChallenges(list)), list);
      }),
    );
  });

  it('property: garbage never throws, it gives arrays (any string, and SF-alphabet soup)', () => {
    const soup = fc.string({ maxLength: 60, unit: fc.constantFrom(...'(); ,="\\:?*-.0123456789aEpS:/%@\t'.split('')) });
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), soup, fc.string({ unit: 'binary', maxLength: 40 })), fc.webUrl(), (value, url) => {
        assert.ok(Array.isArray(parseRegistrationHeader(value, url)));
        assert.ok(Array.isArray(parseChallengeHeader(value)));
        const list = parseSfList(value);
        assert.ok(list === undefined || Array.isArray(list));
      }),
      { numRuns: 500 },
    );
  });
});
