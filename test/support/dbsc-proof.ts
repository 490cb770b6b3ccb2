// A DBSC client for the protocol tests, on Web Crypto only (independent of the server's `jose`):
// device keys (ES256, RS256), compact `dbsc+jwt` proofs, and the header fields a browser reads.
// The browser test client of the dbscweb helper is test/support/dbsc-client.ts; this one is ours.

import type { webcrypto } from 'node:crypto';

export type ProofAlg = 'ES256' | 'RS256';

export interface DeviceKey {
  readonly alg: ProofAlg;
  readonly privateKey: webcrypto.CryptoKey;
  readonly publicJwk: Record<string, string>;
}

const b64url = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64url');

const PARAMS = {
  ES256: { generate: { name: 'ECDSA', namedCurve: 'P-256' }, sign: { name: 'ECDSA', hash: 'SHA-256' } },
  RS256: { generate: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, sign: { name: 'RSASSA-PKCS1-v1_5' } },
} as const;

/** A new key pair, as a browser makes one at registration. */
export async function deviceKey(alg: ProofAlg, modulusLength = 2048): Promise<DeviceKey> {
  const generate = alg === 'RS256' ? { ...PARAMS.RS256.generate, modulusLength } : PARAMS.ES256.generate;
  const pair = (await crypto.subtle.generateKey(generate, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const publicJwk: Record<string, string> =
    alg === 'ES256' ? { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! } : { kty: 'RSA', n: jwk.n!, e: jwk.e! };
  return { alg, privateKey: pair.privateKey, publicJwk };
}

/** A compact JWS: `header` and `payload` as given, signed with `key` (ES256 signatures are r||s, as JWS wants). */
export async function signJws(key: DeviceKey, header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string> {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = await crypto.subtle.sign(PARAMS[key.alg].sign, key.privateKey, new TextEncoder().encode(input));
  return `${input}.${b64url(new Uint8Array(signature))}`;
}

/** The registration proof a browser sends: `jwk` in the header. */
export function registrationProof(key: DeviceKey, challenge: string, extra: Record<string, unknown> = {}): Promise<string> {
  return signJws(key, { alg: key.alg, typ: 'dbsc+jwt', jwk: key.publicJwk, ...extra }, { jti: challenge });
}

/** A refresh proof: no `jwk`. */
export function refreshProof(key: DeviceKey, challenge: string): Promise<string> {
  return signJws(key, { alg: key.alg, typ: 'dbsc+jwt' }, { jti: challenge });
}

/** An `alg: none` proof (no signature). */
export function unsignedProof(header: Record<string, unknown>, challenge: string): string {
  return `${b64url(JSON.stringify({ alg: 'none', typ: 'dbsc+jwt', ...header }))}.${b64url(JSON.stringify({ jti: challenge }))}.`;
}

/** The first entry of a `Secure-Session-Registration` value: its algorithms, path and challenge. */
export function parseRegistration(value: string | null): { algorithms: string[]; path: string; challenge: string } | undefined {
  const match = value === null ? null : /^\(([^)]*)\);path="([^"]*)";challenge="([^"]*)"/.exec(value);
  return match === null ? undefined : { algorithms: match[1]!.split(' '), path: match[2]!, challenge: match[3]! };
}

/** A `Secure-Session-Challenge` value: the challenge and the session identifier. */
export function parseChallenge(value: string | null): { challenge: string; id: string } | undefined {
  const match = value === null ? null : /^"([^"]*)";id="([^"]*)"$/.exec(value);
  return match === null ? undefined : { challenge: match[1]!, id: match[2]! };
}

/** An sf-string, as a browser sends `Secure-Session-Response` and `Sec-Secure-Session-Id`. */
export const quoted = (value: string): string => `"${value}"`;
