import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { publicJwk } from '../adapter/index.js';
import type { Binding, DbscKey } from '../adapter/index.js';
import type { DbscAlgorithm } from '../index.js';

// DBSC proofs (`dbsc+jwt`, compact JWS) verified with `jose`: the header is read only to pick the
// algorithm and key; the signature, `typ` and any time claims are jose's to check.

/** Why a proof was refused. */
export type ProofFailure = 'malformed' | 'typ' | 'alg' | 'jwk' | 'signature';

/** A proof that verified: its challenge (`jti`), and at registration the key it was signed with. */
export type VerifiedProof =
  | {
      /** The proof verified. */
      readonly ok: true;
      /** Its `jti` claim: the challenge it signed (not checked here). */
      readonly jti: string;
      /** The key it was signed with. */
      readonly key: DbscKey;
    }
  | {
      /** The proof was refused. */
      readonly ok: false;
      /** Why. */
      readonly reason: ProofFailure;
    };

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** RSA keys under 2048 bits are refused. */
const MIN_RSA_MODULUS_CHARS = Math.ceil((2048 / 8) * 4 / 3);
const TYP = 'dbsc+jwt';

function headerOf(token: string): Record<string, unknown> | undefined {
  if (token.length > 8192 || !COMPACT.test(token)) return undefined;
  try {
    return decodeProtectedHeader(token) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

async function verify(token: string, alg: DbscAlgorithm, jwk: Readonly<Record<string, string>>, now: number): Promise<string | ProofFailure> {
  try {
    const key = await importJWK({ ...jwk }, alg);
    const { payload } = await jwtVerify(token, key, { algorithms: [alg], typ: TYP, currentDate: new Date(now) });
    return typeof payload.jti === 'string' && payload.jti.length > 0 && payload.jti.length <= 256 ? payload.jti : 'malformed';
  } catch {
    return 'signature';
  }
}

/**
 * A registration proof: `typ` `dbsc+jwt`, an allowed algorithm (never `none`), a public key of that
 * algorithm in the header's `jwk` (RSA of 2048 bits or more), and a valid self-signature.
 */
export async function verifyRegistrationProof(token: string, algorithms: readonly DbscAlgorithm[], now: number): Promise<VerifiedProof> {
  const header = headerOf(token);
  if (header === undefined) return { ok: false, reason: 'malformed' };
  if (header.typ !== TYP) return { ok: false, reason: 'typ' };
  const alg = header.alg;
  if (typeof alg !== 'string' || !(algorithms as readonly string[]).includes(alg)) return { ok: false, reason: 'alg' };
  const jwk = publicJwk(alg as DbscAlgorithm, header.jwk);
  if (jwk === undefined || (alg === 'RS256' && jwk.n!.length < MIN_RSA_MODULUS_CHARS)) return { ok: false, reason: 'jwk' };
  const jti = await verify(token, alg as DbscAlgorithm, jwk, now);
  if (jti === 'signature' || jti === 'malformed') return { ok: false, reason: jti };
  return { ok: true, jti, key: { alg: alg as DbscAlgorithm, jwk, thumbprint: await calculateJwkThumbprint(jwk, 'sha256') } };
}

/** A refresh proof: signed with the session's bound key and algorithm; a header `jwk` is refused (the spec forbids it on refresh). */
export async function verifyRefreshProof(token: string, binding: Binding, now: number): Promise<VerifiedProof> {
  const header = headerOf(token);
  if (header === undefined) return { ok: false, reason: 'malformed' };
  if (header.typ !== TYP) return { ok: false, reason: 'typ' };
  if (header.alg !== binding.alg) return { ok: false, reason: 'alg' };
  if (header.jwk !== undefined) return { ok: false, reason: 'jwk' };
  const jti = await verify(token, binding.alg, binding.jwk, now);
  if (jti === 'signature' || jti === 'malformed') return { ok: false, reason: jti };
  return { ok: true, jti, key: { alg: binding.alg, jwk: binding.jwk, thumbprint: binding.thumbprint } };
}
