// The public types of the DBSC capability (`tessera-session/adapter`), kept apart from the code
// that implements them so that their declarations need no Node types.
import type { SessionEventType } from '../events.js';
import type { Binding } from './binding.js';
import type { DbscAlgorithm, ResolvedDbsc } from './options.js';

/** What checking a challenge found. */
export type ChallengeCheck =
  | {
      /** The challenge is good. */
      readonly ok: true;
      /** Its random part: what single use is tracked by. */
      readonly nonce: string;
      /** When it was issued, epoch ms. */
      readonly issuedAt: number;
    }
  | {
      /** The challenge is refused. */
      readonly ok: false;
      /** `invalid`: not ours, not for this session or not of this kind; `stale`: too old (or from the future). */
      readonly reason: 'invalid' | 'stale';
    };

/** A session as the DBSC endpoints see it: read through its long-lived cookie, whether or not a bound cookie came with it. */
export interface DbscLookup {
  /** The user the session belongs to (`userKey`), if it is logged in. */
  readonly userId: string | undefined;
  /** The session's device binding, once registered. */
  readonly binding: Binding | undefined;
}

/** The outcome of a registration or a refresh write. */
export type DbscWrite =
  | {
      /** Written. */
      readonly status: 'ok';
      /** The binding as written. */
      readonly binding: Binding;
    }
  | {
      /** Not written: the session is bound already, no longer exists, the challenge was used, or another key was bound meanwhile. */
      readonly status: 'already_bound' | 'gone' | 'used' | 'rebound';
    };

/** A verified public key, as the registration endpoint hands it over. */
export interface DbscKey {
  /** The key's signature algorithm. */
  readonly alg: DbscAlgorithm;
  /** The public key (JWK members). */
  readonly jwk: Readonly<Record<string, string>>;
  /** RFC 7638 thumbprint, base64url. */
  readonly thumbprint: string;
}

/**
 * What `tessera-session/dbsc` needs of a manager made with the `dbsc` option (see `dbscAccess`):
 * the session's record read and written past the bound-cookie check, the challenges and the
 * bound cookie. Store I/O goes through the manager's store caller (timeouts, compare-and-set).
 */
export interface DbscAccess {
  /** The resolved `dbsc` options. */
  readonly config: ResolvedDbsc;
  /** The manager's clock, in epoch ms. */
  now(): number;
  /** The live session the Cookie header's session cookie names (a bound cookie is not needed), or undefined. */
  lookup(cookieHeader: string | null | undefined): Promise<DbscLookup | undefined>;
  /** Checks a registration challenge: issued for this session, recent, well signed. */
  checkRegistration(lookup: DbscLookup, challenge: unknown): ChallengeCheck;
  /** Binds `key` to the session (compare-and-set): only once per session. */
  bind(lookup: DbscLookup, key: DbscKey): Promise<DbscWrite>;
  /** A refresh challenge for the session's binding: `r` answers a refresh, `p` is sent ahead of time (pre-provisioned, it lives `boundLifetime` longer). */
  challenge(binding: Binding, kind: 'r' | 'p'): string;
  /** Checks a refresh challenge for `binding`, without using it up. */
  checkRefresh(binding: Binding, challenge: unknown): ChallengeCheck;
  /** Uses a checked refresh challenge up (compare-and-set): a second use answers `used`. */
  consume(lookup: DbscLookup, nonce: string, issuedAt: number): Promise<DbscWrite>;
  /** The Set-Cookie of a new bound cookie for `binding`, valid `boundLifetime` from now. */
  boundCookie(binding: Binding): string;
  /** The Set-Cookie that removes the bound cookie. */
  clearBoundCookie(): string;
  /** The Cookie header carries a bound cookie whose stated expiry has passed by the manager's clock (no MAC check, no store read). */
  boundCookieExpired(cookieHeader: string | null | undefined): boolean;
  /** Reports a DBSC event through the manager's `onEvent`. */
  emit(lookup: DbscLookup | undefined, type: SessionEventType): void;
}

