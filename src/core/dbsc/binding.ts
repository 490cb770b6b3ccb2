import type { DbscAlgorithm } from './options.js';

/** A challenge of a refresh that was accepted: its nonce and when it was issued, kept until it is stale. */
export type UsedChallenge = readonly [nonce: string, issuedAt: number];

/** The device binding of a session record: the browser's public key and the DBSC session it belongs to. */
export interface Binding {
  /** The DBSC `session_identifier`: random, not the session ID. */
  readonly id: string;
  /** The key's signature algorithm. */
  readonly alg: DbscAlgorithm;
  /** The public key (JWK members, strings only). */
  readonly jwk: Readonly<Record<string, string>>;
  /** RFC 7638 thumbprint of `jwk`, base64url. */
  readonly thumbprint: string;
  /** When the key was bound, epoch ms. */
  readonly boundAt: number;
  /** Refresh challenges already used, for single use; pruned once stale. */
  readonly used: readonly UsedChallenge[];
}

/** The largest number of used challenges a record keeps: refreshes are rate-limited far below this. */
export const MAX_USED_CHALLENGES = 64;
const ID = /^[A-Za-z0-9_-]{16,64}$/;
const B64 = /^[A-Za-z0-9_-]{1,2048}$/;
const JWK_MEMBERS: Record<DbscAlgorithm, readonly string[]> = { ES256: ['kty', 'crv', 'x', 'y'], RS256: ['kty', 'n', 'e'] };

/** The public members of a JWK for `alg`, or undefined when it is not a public key of that kind. */
export function publicJwk(alg: DbscAlgorithm, jwk: unknown): Record<string, string> | undefined {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return undefined;
  const raw = jwk as Record<string, unknown>;
  if ('d' in raw || 'p' in raw || 'k' in raw) return undefined;
  const out: Record<string, string> = {};
  for (const member of JWK_MEMBERS[alg]) {
    const value = raw[member];
    if (typeof value !== 'string' || (member !== 'kty' && member !== 'crv' && !B64.test(value))) return undefined;
    out[member] = value;
  }
  if (alg === 'ES256' ? out.kty !== 'EC' || out.crv !== 'P-256' : out.kty !== 'RSA') return undefined;
  return out;
}

/** The binding as stored inside the record's JSON (short member names). */
export function encodeBinding(b: Binding): Record<string, unknown> {
  return { i: b.id, a: b.alg, k: b.jwk, t: b.thumbprint, at: b.boundAt, u: b.used };
}

/** A stored binding, or undefined when absent or malformed (a malformed one is treated as none). */
export function decodeBinding(raw: unknown): Binding | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.i !== 'string' || !ID.test(r.i) || (r.a !== 'ES256' && r.a !== 'RS256') || typeof r.t !== 'string' || !B64.test(r.t) || !Number.isFinite(r.at)) return undefined;
  const jwk = publicJwk(r.a, r.k);
  if (jwk === undefined || !Array.isArray(r.u)) return undefined;
  const used: UsedChallenge[] = [];
  for (const entry of r.u as unknown[]) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Number.isFinite(entry[1])) return undefined;
    used.push([entry[0], entry[1] as number]);
  }
  return { id: r.i, alg: r.a, jwk, thumbprint: r.t, boundAt: r.at as number, used };
}
