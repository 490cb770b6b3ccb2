// A DBSC client for tests, on Web Crypto: key pairs (ES256, RS256), the `dbsc+jwt` proofs a browser
// sends (registration: header `jwk`; refresh: no `jwk`), and the reading of `Secure-Session-Registration`
// and `Secure-Session-Challenge` (and the legacy `Sec-Session-*`) the way Chromium reads them.
import { webcrypto } from 'node:crypto';
import { parseSfList, serializeSfList } from './dbsc-structured-fields.js';
import type { SfMember, SfParameters } from './dbsc-structured-fields.js';

const subtle = webcrypto.subtle;

export type DbscAlgorithm = 'ES256' | 'RS256';
export const DBSC_ALGORITHMS: readonly DbscAlgorithm[] = ['ES256', 'RS256'];

export interface DbscPublicJwk {
  kty: string;
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
}

export interface DbscKey {
  alg: DbscAlgorithm;
  privateKey: webcrypto.CryptoKey;
  publicKey: webcrypto.CryptoKey;
  /** The public key as the registration proof carries it (only the key members). */
  jwk: DbscPublicJwk;
}

const PARAMS = {
  ES256: { gen: { name: 'ECDSA', namedCurve: 'P-256' }, sign: { name: 'ECDSA', hash: 'SHA-256' } },
  RS256: {
    gen: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    sign: { name: 'RSASSA-PKCS1-v1_5' },
  },
} as const;

/** A fresh key pair; the private key is not extractable, as in a browser's key store. */
export async function generateDbscKey(alg: DbscAlgorithm = 'ES256'): Promise<DbscKey> {
  const pair = (await subtle.generateKey(PARAMS[alg].gen, false, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const full = await subtle.exportKey('jwk', pair.publicKey);
  const jwk: DbscPublicJwk =
    alg === 'ES256' ? { kty: 'EC', crv: full.crv!, x: full.x!, y: full.y! } : { kty: 'RSA', n: full.n!, e: full.e! };
  return { alg, privateKey: pair.privateKey, publicKey: pair.publicKey, jwk };
}

function b64url(data: string | Uint8Array): string {
  return Buffer.from(data).toString('base64url');
}

/** Signs any JWS (compact form) with `key`: for proofs a test wants to bend (wrong typ, extra claims). */
export async function signDbscJws(key: DbscKey, header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string> {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = await subtle.sign(PARAMS[key.alg].sign, key.privateKey, new TextEncoder().encode(input));
  return `${input}.${b64url(new Uint8Array(signature))}`;
}

/** The registration proof: header `{typ: "dbsc+jwt", alg, jwk}`, payload `{jti: challenge, authorization?}`. */
export function registrationProof(key: DbscKey, challenge: string, authorization?: string): Promise<string> {
  const payload: Record<string, unknown> = { jti: challenge };
  if (authorization !== undefined) payload.authorization = authorization;
  return signDbscJws(key, { alg: key.alg, typ: 'dbsc+jwt', jwk: key.jwk }, payload);
}

/** A refresh proof: the same, without `jwk` (the server verifies with the key it bound). */
export function refreshProof(key: DbscKey, challenge: string): Promise<string> {
  return signDbscJws(key, { alg: key.alg, typ: 'dbsc+jwt' }, { jti: challenge });
}

/** One registration offer, as a browser takes it up. */
export interface RegistrationOffer {
  /** The algorithms offered that this client supports, in the server's order. */
  algorithms: DbscAlgorithm[];
  /** The registration endpoint, resolved against the response's URL. */
  endpoint: string;
  challenge?: string;
  authorization?: string;
}

function param(params: SfParameters, key: string): { ok: boolean; value?: string } {
  const found = params.find(([k]) => k === key);
  if (!found) return { ok: true };
  return found[1].type === 'string' ? { ok: true, value: found[1].value } : { ok: false };
}

function isSecure(url: URL): boolean {
  return url.protocol === 'https:' || url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
}

/** Same site, roughly: same scheme and the same last two labels (no Public Suffix List here). */
function sameSite(a: URL, b: URL): boolean {
  if (a.protocol !== b.protocol) return false;
  if (a.hostname === b.hostname) return true;
  const site = (h: string) => (/^[\d.]+$|^\[/.test(h) ? h : h.split('.').slice(-2).join('.'));
  return site(a.hostname) === site(b.hostname) && a.hostname.includes('.') && b.hostname.includes('.');
}

function offerFrom(member: SfMember, requestUrl: URL): RegistrationOffer | undefined {
  if (member.kind !== 'inner') return undefined;
  const algorithms = member.items
    .filter((i) => i.value.type === 'token' && (DBSC_ALGORITHMS as readonly string[]).includes(i.value.value as string))
    .map((i) => i.value.value as DbscAlgorithm);
  if (algorithms.length === 0) return undefined;
  const path = param(member.params, 'path');
  const challenge = param(member.params, 'challenge');
  const authorization = param(member.params, 'authorization');
  if (!path.ok || !challenge.ok || !authorization.ok || path.value === undefined) return undefined;
  let endpoint: URL;
  try {
    endpoint = new URL(path.value, requestUrl);
  } catch {
    return undefined;
  }
  if (!isSecure(endpoint) || !sameSite(endpoint, requestUrl)) return undefined;
  const offer: RegistrationOffer = { algorithms, endpoint: endpoint.href };
  if (challenge.value !== undefined) offer.challenge = challenge.value;
  if (authorization.value !== undefined) offer.authorization = authorization.value;
  return offer;
}

/** Reads a `Secure-Session-Registration` value; invalid members are skipped, never thrown. */
export function parseRegistrationHeader(value: string, requestUrl: string): RegistrationOffer[] {
  let base: URL;
  try {
    base = new URL(requestUrl);
  } catch {
    return [];
  }
  const list = parseSfList(value);
  if (!list) return [];
  return list.flatMap((m) => offerFrom(m, base) ?? []);
}

export interface ChallengeParam {
  challenge: string;
  sessionId?: string;
}

/** Reads a `Secure-Session-Challenge` value: string items, optional `id` parameter. */
export function parseChallengeHeader(value: string): ChallengeParam[] {
  const list = parseSfList(value);
  if (!list) return [];
  return list.flatMap((m) => {
    if (m.kind !== 'item' || m.value.type !== 'string') return [];
    const id = param(m.params, 'id');
    if (!id.ok) return [];
    return id.value === undefined ? [{ challenge: m.value.value }] : [{ challenge: m.value.value, sessionId: id.value }];
  });
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The registration offers of a response. The standard header wins; the legacy
 * `Sec-Session-Registration` is read only when the standard one is absent.
 */
export function readRegistration(headers: HeaderSource, requestUrl: string): RegistrationOffer[] {
  const value = header(headers, 'secure-session-registration') ?? header(headers, 'sec-session-registration');
  return value === undefined ? [] : parseRegistrationHeader(value, requestUrl);
}

/** The challenges of a response (standard header first, legacy `Sec-Session-Challenge` otherwise). */
export function readChallenges(headers: HeaderSource): ChallengeParam[] {
  const value = header(headers, 'secure-session-challenge') ?? header(headers, 'sec-session-challenge');
  return value === undefined ? [] : parseChallengeHeader(value);
}

/** Builds a `Secure-Session-Registration` value (path relative or absolute, as a server sends it). */
export function serializeRegistration(offers: Array<{ algorithms: string[]; path: string; challenge?: string; authorization?: string }>): string {
  return serializeSfList(
    offers.map((o) => {
      const params: SfParameters = [['path', { type: 'string', value: o.path }]];
      if (o.challenge !== undefined) params.push(['challenge', { type: 'string', value: o.challenge }]);
      if (o.authorization !== undefined) params.push(['authorization', { type: 'string', value: o.authorization }]);
      return { kind: 'inner', items: o.algorithms.map((a) => ({ kind: 'item', value: { type: 'token', value: a }, params: [] })), params };
    }),
  );
}

/** Builds a `Secure-Session-Challenge` value. */
export function serializeChallenges(challenges: ChallengeParam[]): string {
  return serializeSfList(
    challenges.map((c) => ({
      kind: 'item',
      value: { type: 'string', value: c.challenge },
      params: c.sessionId === undefined ? [] : [['id', { type: 'string', value: c.sessionId }]],
    })),
  );
}
