import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { serializeClearCookie, serializeSetCookie } from '../cookie/set-cookie.js';
import { hashStoreKey } from '../crypto/random.js';
import type { IdSigner } from '../crypto/signer.js';
import { SessionError } from '../errors.js';
import type { SessionEventType } from '../events.js';
import { expiryOf } from '../policy.js';
import type { ExpiryRules } from '../policy.js';
import type { StoreCaller } from '../store-caller.js';
import { serialized } from '../store-mode/commit.js';
import { decodeForward, decodeRecord, encodeRecord } from '../store-mode/record.js';
import type { SessionRecord } from '../store-mode/record.js';
import type { ResponseHeader, Transport } from '../transport.js';
import { MAX_USED_CHALLENGES } from './binding.js';
import type { Binding } from './binding.js';
import type { ChallengeCheck, DbscCredentials } from './credentials.js';
import type { DbscAlgorithm, ResolvedDbsc } from './options.js';

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
  /** Reports a DBSC event through the manager's `onEvent`. */
  emit(lookup: DbscLookup | undefined, type: SessionEventType): void;
}

/** What the store carrier gives the DBSC access. */
export interface DbscAccessContext {
  readonly dbsc: ResolvedDbsc;
  readonly rules: ExpiryRules & { readonly clock: Clock; readonly maxCommitRetries: number };
  readonly caller: StoreCaller;
  readonly signer: IdSigner;
  readonly transport: Transport;
  readonly sessionCookie: string;
  readonly storeKey: (id: string) => string;
  readonly credentials: DbscCredentials;
  emit(type: SessionEventType, id?: string): void;
}

interface Loaded extends DbscLookup {
  readonly id: string;
  readonly key: string;
  readonly text: string;
  readonly record: SessionRecord;
}

/** The response headers offering registration to the session `id` (both the current and the legacy name). */
export function registrationHeaders(ctx: Pick<DbscAccessContext, 'dbsc' | 'credentials'>, id: string, now: number): ResponseHeader[] {
  const { dbsc, credentials } = ctx;
  const value = `(${dbsc.algorithms.join(' ')});path="${dbsc.registrationPath}";challenge="${credentials.challenge('g', hashStoreKey(id), now)}"`;
  return [['secure-session-registration', value], ['sec-session-registration', value]];
}

export function createDbscAccess(ctx: DbscAccessContext): DbscAccess {
  const { dbsc, rules, caller, credentials } = ctx;
  const clock = rules.clock;
  const loadedOf = new WeakMap<DbscLookup, Loaded>();
  const lifetimeOf = (kind: string): number => (kind === 'p' ? dbsc.boundLifetimeMs + dbsc.challengeLifetimeMs : dbsc.challengeLifetimeMs);

  /** The live record under `key`, through a renewal forward. */
  async function read(id: string, key: string, now: number): Promise<Loaded | undefined> {
    let text = await caller.get(key);
    const forward = text === undefined ? undefined : decodeForward(text);
    if (forward !== undefined) {
      if (forward.until <= now) return undefined;
      key = forward.key;
      text = await caller.get(key);
    }
    const record = text === undefined ? undefined : decodeRecord(text);
    if (record === undefined || expiryOf(rules, record) <= now) return undefined;
    const loaded: Loaded = { id, key, text: text!, record, userId: record.userId, binding: record.binding };
    loadedOf.set(loaded, loaded);
    return loaded;
  }

  const loadedFrom = (lookup: DbscLookup): Loaded => {
    const loaded = loadedOf.get(lookup);
    if (loaded === undefined) throw new SessionError('ERR_SESSION_NOT_LOADED', 'this DBSC lookup was not made by this session manager');
    return loaded;
  };

  /** Compare-and-set of the record: `change` decides on the freshest copy; a conflict re-reads and decides again. */
  async function update(lookup: DbscLookup, change: (record: SessionRecord) => SessionRecord | 'already_bound' | 'used' | 'rebound'): Promise<DbscWrite> {
    let current: Loaded | undefined = loadedFrom(lookup);
    const now = clock.now();
    return serialized(caller, current.key, async (queue) => {
      for (let attempt = 0; attempt <= rules.maxCommitRetries; attempt++) {
        if (current === undefined) return { status: 'gone' };
        const next = change(current.record);
        if (typeof next === 'string') return { status: next };
        const text = encodeRecord(next);
        if (await caller.setIf(current.key, text, expiryOf(rules, next), current.text, { userId: next.userId })) {
          queue.lastText = text;
          return { status: 'ok', binding: next.binding! };
        }
        current = await read(current.id, current.key, now);
      }
      throw new SessionError('ERR_SESSION_CONFLICT', 'the session kept changing under a DBSC request');
    });
  }

  return {
    config: dbsc,
    now: () => clock.now(),
    async lookup(cookieHeader) {
      let id: string | undefined;
      for (const value of ctx.transport.values(cookieHeader, ctx.sessionCookie)) {
        const verified = ctx.signer.verify(value);
        if (verified === null) continue;
        if (id !== undefined && id !== verified.id) return undefined;
        id = verified.id;
      }
      return id === undefined ? undefined : read(id, ctx.storeKey(id), clock.now());
    },
    checkRegistration: (lookup, challenge) => credentials.check(challenge, ['g'], hashStoreKey(loadedFrom(lookup).id), clock.now(), lifetimeOf),
    bind(lookup, key) {
      const now = clock.now();
      const binding: Binding = { id: randomBytes(18).toString('base64url'), alg: key.alg, jwk: { ...key.jwk }, thumbprint: key.thumbprint, boundAt: now, used: [] };
      return update(lookup, (record) => (record.binding !== undefined ? 'already_bound' : { ...record, binding }));
    },
    challenge: (binding, kind) => credentials.challenge(kind, binding.id, clock.now()),
    checkRefresh: (binding, challenge) => credentials.check(challenge, ['r', 'p'], binding.id, clock.now(), lifetimeOf),
    consume(lookup, nonce, issuedAt) {
      const now = clock.now();
      const bindingId = loadedFrom(lookup).binding?.id;
      return update(lookup, (record) => {
        const b = record.binding;
        if (b === undefined || b.id !== bindingId) return 'rebound';
        const used = b.used.filter(([, at]) => now - at <= lifetimeOf('p'));
        if (used.some(([seen]) => seen === nonce)) return 'used';
        // Refreshes are rate-limited far below this; a full list refuses rather than forgets a use.
        if (used.length >= MAX_USED_CHALLENGES) return 'used';
        return { ...record, binding: { ...b, used: [...used, [nonce, issuedAt] as const] } };
      });
    },
    boundCookie: (binding) => {
      const now = clock.now();
      return serializeSetCookie(dbsc.cookie, credentials.boundValue(binding, now + dbsc.boundLifetimeMs), dbsc.boundLifetimeMs / 1000, now);
    },
    clearBoundCookie: () => serializeClearCookie(dbsc.cookie, clock.now()),
    emit(lookup, type) {
      const loaded = lookup === undefined ? undefined : loadedOf.get(lookup);
      ctx.emit(type, loaded?.id);
    },
  };
}

/** Whether the Cookie header carries a fresh bound cookie of `binding`. */
export function hasBoundCookie(ctx: Pick<DbscAccessContext, 'dbsc' | 'credentials' | 'transport'>, header: string | null | undefined, binding: Binding, now: number): boolean {
  return ctx.transport.values(header, ctx.dbsc.cookie.name).some((value) => ctx.credentials.boundValid(binding, value, now));
}
