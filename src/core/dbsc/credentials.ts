import { randomBytes } from 'node:crypto';
import type { Keyring } from '../crypto/keyring.js';
import { macTag, sameText } from '../shared/mac.js';
import type { Binding } from './binding.js';
import type { ChallengeCheck } from './types.js';

/**
 * The two MACs of DBSC, under keys derived from the keyring (the first signs, all verify):
 * the bound cookie, `<expiresAt base36>.<tag>` over the binding's identifier, the key's
 * thumbprint and the expiry; and challenges, `<kind><issuedAt base36>.<nonce>.<tag>` over the
 * kind, the subject they were issued for (a session's store key for a registration, a binding's
 * identifier for a refresh), the time and a random nonce. Neither holds the session ID.
 */
export type ChallengeKind = 'g' | 'r' | 'p';

export interface DbscCredentials {
  boundValue(binding: Binding, expiresAt: number): string;
  /** Whether `value` is a bound cookie of `binding` that has not expired at `now`. */
  boundValid(binding: Binding, value: string, now: number): boolean;
  /** The expiry a bound cookie's value states (not verified), or undefined when it is not one. */
  boundExpiresAt(value: string): number | undefined;
  challenge(kind: ChallengeKind, subject: string, now: number): string;
  /** Checks a challenge of one of `kinds` for `subject`; `lifetimeOf` gives each kind's life in ms. */
  check(value: unknown, kinds: readonly ChallengeKind[], subject: string, now: number, lifetimeOf: (kind: ChallengeKind) => number): ChallengeCheck;
}

const BOUND = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/;
const CHALLENGE = /^([grp])([0-9a-z]{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;
/** A challenge issued this far in the future (clock skew between servers) still counts. */
const SKEW_MS = 5_000;

export function createDbscCredentials(keyring: Keyring): DbscCredentials {
  const boundKeys = keyring.derive('dbsc-bound-cookie');
  const challengeKeys = keyring.derive('dbsc-challenge');
  const boundMessage = (b: Binding, expiresAt: number): string => `bound|${b.id}|${b.thumbprint}|${expiresAt}`;
  const anyKey = (keys: readonly Buffer[], message: string, tag: string): boolean => keys.some((key) => sameText(macTag(key, message, 'base64url'), tag));
  return {
    boundValue: (b, expiresAt) => `${expiresAt.toString(36)}.${macTag(boundKeys[0]!, boundMessage(b, expiresAt), 'base64url')}`,
    boundValid(b, value, now) {
      const match = BOUND.exec(value);
      if (match === null) return false;
      const expiresAt = parseInt(match[1]!, 36);
      return expiresAt > now && anyKey(boundKeys, boundMessage(b, expiresAt), match[2]!);
    },
    boundExpiresAt(value) {
      const match = BOUND.exec(value);
      return match === null ? undefined : parseInt(match[1]!, 36);
    },
    challenge(kind, subject, now) {
      const head = `${kind}${now.toString(36)}.${randomBytes(16).toString('base64url')}`;
      return `${head}.${macTag(challengeKeys[0]!, `challenge|${subject}|${head}`, 'base64url')}`;
    },
    check(value, kinds, subject, now, lifetimeOf) {
      const match = typeof value === 'string' && value.length < 100 ? CHALLENGE.exec(value) : null;
      if (match === null) return { ok: false, reason: 'invalid' };
      const kind = match[1] as ChallengeKind;
      const head = (value as string).slice(0, (value as string).lastIndexOf('.'));
      if (!kinds.includes(kind) || !anyKey(challengeKeys, `challenge|${subject}|${head}`, match[4]!)) return { ok: false, reason: 'invalid' };
      const issuedAt = parseInt(match[2]!, 36);
      if (issuedAt > now + SKEW_MS || now - issuedAt > lifetimeOf(kind)) return { ok: false, reason: 'stale' };
      return { ok: true, nonce: match[3]!, issuedAt };
    },
  };
}
