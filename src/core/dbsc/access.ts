import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { serializeClearCookie, serializeSetCookie } from '../cookie/set-cookie.js';
import { hashStoreKey } from '../crypto/random.js';
import type { Keyring } from '../crypto/keyring.js';
import type { IdSigner } from '../crypto/signer.js';
import { SessionError } from '../errors.js';
import type { SessionEventType } from '../events.js';
import { expiryOf } from '../policy.js';
import type { ExpiryRules } from '../policy.js';
import { requireCompareAndSet } from '../store.js';
import type { SessionStore } from '../store.js';
import type { StoreCaller } from '../store-caller.js';
import { serialized } from '../store-mode/commit.js';
import { decodeForward, decodeRecord, encodeRecord } from '../store-mode/record.js';
import type { SessionRecord } from '../store-mode/record.js';
import type { ResponseHeader, Transport } from '../transport.js';
import { MAX_USED_CHALLENGES } from './binding.js';
import type { Binding } from './binding.js';
import { createDbscCredentials } from './credentials.js';
import type { DbscCredentials } from './credentials.js';
import type { ResolvedDbsc } from './options.js';
import type { DbscAccess, DbscLookup, DbscWrite } from './types.js';

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

/**
 * The DBSC context of a store carrier. Refuses a store without `setIf`: without compare-and-set a
 * challenge could be used twice.
 */
export function dbscContext(
  options: DbscAccessContext['rules'] & { readonly transport: Transport; readonly cookie: { readonly name: string } },
  dbsc: ResolvedDbsc,
  parts: Pick<DbscAccessContext, 'caller' | 'signer' | 'storeKey' | 'emit'> & { readonly keyring: Keyring; readonly store: SessionStore },
): DbscAccessContext {
  requireCompareAndSet(parts.store, 'dbsc', 'without it a challenge could be used twice');
  const { caller, signer, storeKey, emit } = parts;
  return { dbsc, rules: options, caller, signer, transport: options.transport, sessionCookie: options.cookie.name, storeKey, credentials: createDbscCredentials(parts.keyring), emit };
}

interface Loaded extends DbscLookup {
  readonly id: string;
  readonly key: string;
  readonly text: string;
  readonly record: SessionRecord;
}

/**
 * The response headers offering registration to the session `id` (both the current and the legacy
 * name), and a clearing bound cookie: a bound cookie left from an earlier session of this browser
 * would otherwise reach the new session once it is bound, and a wrong bound cookie never counts.
 */
export function registrationHeaders(ctx: Pick<DbscAccessContext, 'dbsc' | 'credentials'>, id: string, now: number): ResponseHeader[] {
  const { dbsc, credentials } = ctx;
  const value = `(${dbsc.algorithms.join(' ')});path="${dbsc.registrationPath}";challenge="${credentials.challenge('g', hashStoreKey(id), now)}"`;
  return [['secure-session-registration', value], ['sec-session-registration', value], ['set-cookie', serializeClearCookie(dbsc.cookie, now)]];
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
    boundCookieExpired(cookieHeader) {
      const now = clock.now();
      return ctx.transport.values(cookieHeader, dbsc.cookie.name).some((value) => {
        const expiresAt = credentials.boundExpiresAt(value);
        return expiresAt !== undefined && expiresAt <= now;
      });
    },
    emit(lookup, type) {
      const loaded = lookup === undefined ? undefined : loadedOf.get(lookup);
      ctx.emit(type, loaded?.id);
    },
  };
}

/**
 * How long after a registration a request with no bound cookie at all still counts. The browser
 * registers in the background while it follows the login's redirect: that navigation can reach
 * the server after the key was bound but without the bound cookie, which would bounce a user who
 * just logged in back to the login page (seen in Chromium under load). A wrong or expired bound
 * cookie never counts; theft is already bounded by the bound cookie's lifetime (minutes).
 */
export const REGISTRATION_RACE_MS = 5_000;

/** Whether the request's session counts: it carries a fresh bound cookie of `binding`, or none at all within `REGISTRATION_RACE_MS` of the registration. */
export function hasBoundCookie(ctx: Pick<DbscAccessContext, 'dbsc' | 'credentials' | 'transport'>, header: string | null | undefined, binding: Binding, now: number): boolean {
  const values = ctx.transport.values(header, ctx.dbsc.cookie.name);
  if (values.length === 0) return now - binding.boundAt < REGISTRATION_RACE_MS;
  return values.some((value) => ctx.credentials.boundValid(binding, value, now));
}
