import { NO_WORK, thenMaybe } from '../carrier.js';
import type { Carrier, CarrierContext, RequestState } from '../carrier.js';
import { hashStoreKey } from '../crypto/random.js';
import { SessionError } from '../errors.js';
import { createDbscAccess, dbscContext, hasBoundCookie, registrationHeaders } from '../dbsc/access.js';
import { createIdSigner, pickSignedId } from '../crypto/signer.js';
import type { VerifiedId } from '../crypto/signer.js';
import { MemoryStore } from '../memory-store.js';
import { userIdOf } from '../options.js';
import { expiryOf } from '../policy.js';
import type { CommitPlan } from '../policy.js';
import { blankFacts, settleFacts } from '../session.js';
import type { Baseline, SessionFacts } from '../session.js';
import type { SessionStore } from '../store.js';
import { createStoreCaller } from '../store-caller.js';
import type { StoreCaller } from '../store-caller.js';
import type { ResponseHeader } from '../transport.js';
import type { ClientInfo } from '../types.js';
import { commitRecord } from './commit.js';
import { cacheSlot, createCookieCache } from './cookie-cache.js';
import type { CacheVisit } from './cookie-cache.js';
import { encryptedStore } from './encrypted-store.js';
import { decodeForward, decodeRecord, encodeRecord } from './record.js';
import type { ForwardRecord, SessionRecord } from './record.js';
import { deriveRenewedId, renewRecord } from './renewal.js';
import { createSuccession } from './succession.js';
import { evictBeyond, handleOf, listUserSessions, revokeOtherSessions, revokeUserSession } from './user-index.js';
import type { StoreVisit } from './visit.js';

type State = RequestState<StoreVisit>;

const NO_UPDATERS: ReadonlyMap<string, ReadonlyArray<(value: unknown) => unknown>> = new Map();

/** Store mode: the cookie carries a signed session ID; the record lives in a store, written with compare-and-set. */
export function createStoreCarrier(ctx: CarrierContext, input: { store?: SessionStore | undefined }): Carrier<StoreVisit> {
  const { options, emit } = ctx;
  const { cookie, transport } = options;
  const signer = createIdSigner(ctx.keyring);
  const store = encryptedStore(input.store ?? new MemoryStore({ clock: options.clock }), ctx.keyring, options.encryptAtRest);
  const caller = createStoreCaller(store, options.storeTimeoutMs);
  const storeKey = options.hashStoreKeys ? hashStoreKey : (id: string) => id;
  const renewalKey = ctx.keyring.derive('session-renewal')[0]!;
  const succession = createSuccession(ctx.keyring.derive('session-succession')[0]!, options.maxCommitRetries);
  const limit = options.maxSessionsPerUser;
  if (limit !== undefined && (store.listByUser === undefined || store.setIf === undefined)) {
    throw new SessionError('ERR_SESSION_CONFIG', 'maxSessionsPerUser needs a store with a per-user index and compare-and-set (listByUser, setIf): a tessera store, not an express-session one');
  }
  /** `maxSessionsPerUser`: ends the least recently used sessions of `userId` beyond the limit, as revokeSession does, never the login's own (`ownKeys`). */
  const evict = (by: StoreCaller, userId: string, ownKeys: readonly string[], now: number): Promise<number> =>
    evictBeyond(by, options, userId, ownKeys, limit!, now, async (key) => (await succession.end(by, key, now), cache?.revoked(userId, now), emit('evicted', undefined, userId)));
  const cache = options.cookieCache && createCookieCache(options.cookieCache, ctx.keyring, store);
  const dbsc = options.dbsc && dbscContext(options, options.dbsc, { caller, signer, storeKey, emit, keyring: ctx.keyring, store });

  // Built field by field, not spread from a partial: one object fewer per request, one shape.
  const stateOf = (facts: SessionFacts, clearCookie: boolean, reissue: boolean, key: string, record?: SessionRecord, liveKey?: string, purgeKey?: string): State => ({
    facts,
    clearCookie,
    reissue,
    sentId: undefined,
    carrier: { key, liveKey, idIssuedAt: record?.idIssuedAt, renewDue: false, renewTo: undefined, purgeKey, cache: undefined, binding: record?.binding, client: undefined, handle: record?.handle },
  });
  const withCache = (state: State, visit: CacheVisit): State => ((state.carrier.cache = visit), state);
  const fresh = (now: number, client: ClientInfo | undefined, clearCookie: boolean, purgeKey?: string): State =>
    stateOf(blankFacts(options, now, options.persistent, client), clearCookie, false, '', undefined, undefined, purgeKey);

  /** The session the store holds under `key` (through a renewal forward, if any). */
  const readStore = (picked: VerifiedId, key: string, now: number, client: ClientInfo | undefined, header: string | null | undefined): State | Promise<State> =>
    thenMaybe(caller.read(key), (text) => {
      // A renewed ID's old cookie, within its grace window: follow the forward to the live record.
      const forward = text === undefined ? undefined : decodeForward(text);
      if (forward === undefined) return loaded(picked, key, text, undefined, now, client, header);
      if (forward.until <= now) return loaded(picked, key, undefined, forward, now, client, header);
      return thenMaybe(caller.read(forward.key), (live) => loaded(picked, key, live, forward, now, client, header));
    });

  /** A state from the record text the store gave for the cookie's ID (through its forward, if any). */
  // `decoded`: the record of `text` when the caller has decoded it already (a cache hit).
  function loaded(picked: VerifiedId, key: string, text: string | undefined, forward: ForwardRecord | undefined, now: number, client: ClientInfo | undefined, header: string | null | undefined, decoded?: SessionRecord): State {
    if (text === undefined) {
      emit('unknown_id', picked.id);
      return fresh(now, client, true);
    }
    const record = decoded ?? decodeRecord(text);
    if (record === undefined || expiryOf(options, record) <= now) {
      emit(record === undefined ? 'corrupt' : 'expired', picked.id);
      return fresh(now, client, true, key);
    }
    // A bound session counts only with a fresh bound cookie: without one it is a new, anonymous
    // session, and its record stays as it is, so the real device can still refresh.
    const bound = dbsc !== undefined && record.binding !== undefined;
    if (bound && !hasBoundCookie(dbsc, header, record.binding!, now)) {
      emit('dbsc_refused', picked.id);
      return fresh(now, client, false);
    }
    const facts = blankFacts(options, record.createdAt, record.persistent, record.client ?? client, picked.id, record.data, record.lastSeenAt);
    facts.baseline = { id: picked.id, text, persistent: record.persistent };
    facts.bound = bound;
    const state = stateOf(facts, false, picked.stale, key, record, forward?.key);
    state.carrier.renewDue = options.renewAfterMs > 0 && forward === undefined && now - (record.idIssuedAt ?? record.createdAt) >= options.renewAfterMs;
    return (state.carrier.client = client), state;
  }

  const recordOf = (f: SessionFacts, v: StoreVisit, lastSeenAt: number): SessionRecord => ({
    createdAt: f.createdAt,
    lastSeenAt,
    persistent: f.persistent,
    userId: userIdOf(options, f.data),
    client: f.client,
    idIssuedAt: v.idIssuedAt,
    data: f.data,
    binding: v.binding,
    handle: v.handle,
  });
  /** Where the loaded record lives. */
  const loadedKeyOf = (v: StoreVisit): string => v.liveKey ?? v.key;
  /** Every key a loaded session may occupy, for destroy and regenerate. */
  const keysOf = ({ facts, carrier: v }: State): string[] => {
    // A renewal racing this request meets its record under the derived ID: remove that too.
    const renewed = v.liveKey ?? (options.renewAfterMs > 0 ? storeKey(deriveRenewedId(renewalKey, facts.baseline!.id, v.idIssuedAt ?? facts.createdAt)) : undefined);
    const keys = renewed === undefined ? [v.key] : [v.key, renewed];
    // A renewal of this request that failed may have created its record.
    if (v.renewTo !== undefined) keys.push(storeKey(v.renewTo));
    return keys;
  };
  const settle = (state: State, baseline: Baseline | undefined, now: number): void => {
    settleFacts(state.facts, baseline, now);
    state.reissue = false;
    state.clearCookie = false;
    const v = state.carrier;
    v.purgeKey = undefined;
    v.renewTo = undefined;
    if (baseline === undefined) v.liveKey = undefined;
  };

  /** The compare-and-set write of a create, update or touch. */
  async function write(state: State, plan: CommitPlan, now: number, caller: StoreCaller): Promise<void> {
    const { facts: f, carrier: v } = state;
    const id = f.id;
    // A retry after a failed renewal writes the renewal again; a regenerate() meanwhile replaces it.
    const renewing = v.renewTo === id;
    if (renewing) v.handle ??= handleOf(loadedKeyOf(v));
    const regenerating = plan.replaces && !renewing;
    const creating = plan.write === 'create' && !renewing;
    const oldKeys = regenerating ? keysOf(state) : [];
    // A regenerate creates its record without compare-and-set: first make sure the session still
    // exists (or lives on under another regenerate's ID), so one destroyed or revoked while this
    // request ran never comes back under a new ID.
    if (regenerating && !(await succession.lives(caller, loadedKeyOf(v)))) {
      f.status = 'destroyed';
      settle(state, undefined, now);
      return;
    }
    if (regenerating) {
      v.idIssuedAt = options.renewAfterMs > 0 ? now : undefined;
      // A new session: the old binding stays behind with the old record; the new one is offered its own.
      v.binding = undefined;
      v.handle = undefined;
      f.bound = false;
      f.client = v.client ?? f.client;
    }
    const record = recordOf(f, v, now);
    const key = plan.write === 'create' ? storeKey(id) : v.key;
    const commit = {
      caller,
      key: plan.write === 'create' ? key : loadedKeyOf(v),
      record,
      previous: creating ? undefined : f.baseline!.text,
      create: creating,
      expiresAt: expiryOf(options, record),
      maxRecordBytes: options.maxRecordBytes,
      maxRetries: options.maxCommitRetries,
      updaters: f.updaters ?? NO_UPDATERS,
      userIdOf: (data: Record<string, unknown>) => userIdOf(options, data),
      now,
      onConflict: () => emit('conflict', id),
    };
    let written = renewing ? await renewRecord({ ...commit, oldKey: loadedKeyOf(v), graceUntil: now + options.renewGraceMs }) : await commitRecord(commit);
    // Joined once the new record exists: a logout of the loaded record then removes it (succession.ts).
    if (regenerating && written !== undefined && !(await succession.join(caller, loadedKeyOf(v), key, now))) written = undefined;
    for (const key of oldKeys) await caller.delete(key);
    // This process's caches of the old ID miss from now on (other processes' within maxAge); those
    // stamped before now, as the cache this response issues for the new ID is stamped now.
    if ((renewing || regenerating) && cache !== undefined) cache.destroyed(f.baseline!.text, now - 1);
    if (regenerating) emit('regenerated', id);
    if (written === undefined) {
      // Another request destroyed the session meanwhile: never resurrect it.
      f.status = 'destroyed';
      settle(state, undefined, now);
      return;
    }
    if (renewing) emit('renewed', id);
    else if (f.baseline === undefined) emit('created', id);
    // A login (the session became this user's) may take the user over maxSessionsPerUser.
    const user = written.record.userId;
    if (limit !== undefined && user !== undefined && (creating || regenerating || decodeRecord(f.baseline!.text)?.userId !== user)) {
      await evict(caller, user, [written.key, ...(regenerating ? await succession.successors(caller, loadedKeyOf(v)) : [])], now);
    }
    f.data = written.record.data;
    v.key = key;
    v.liveKey = written.key === key ? undefined : written.key;
    settle(state, { id, text: written.text, persistent: written.record.persistent }, now);
  }

  return {
    sealed: false,
    dbsc: dbsc && createDbscAccess(dbsc),
    registration: dbsc && ((id, now) => registrationHeaders(dbsc, id, now)),

    read(header, client, now) {
      const picked = pickSignedId(signer, transport.values(header, cookie.name));
      if (typeof picked !== 'object') {
        if (picked !== undefined) emit(picked);
        // No usable session cookie: a fresh session (clearing a bad cookie), which notes any cache cookie to clear.
        const state = fresh(now, client, picked !== undefined);
        return cache === undefined ? state : withCache(state, cache.read(header, '', now).visit);
      }
      const key = storeKey(picked.id);
      if (cache === undefined) return readStore(picked, key, now, client, header);
      const { visit, hit } = cache.read(header, key, now);
      const fromStore = (): State | Promise<State> => {
        visit.hit = false;
        visit.cachedAt = now;
        return thenMaybe(readStore(picked, key, now, client, header), (state) => withCache(state, visit));
      };
      const record = hit === undefined ? undefined : decodeRecord(hit.text);
      if (record === undefined || expiryOf(options, record) <= now) return fromStore();
      return thenMaybe(cache.trusted(record.userId, visit.cachedAt), (trusted) =>
        trusted ? withCache(loaded(picked, key, hit!.text, undefined, now, client, header, record), visit) : fromStore(),
      );
    },

    changed: ({ facts: f, carrier: v }) => encodeRecord(recordOf(f, v, f.lastSeenAt)) !== f.baseline?.text,
    due: () => false,
    forwarded: (state) => state.carrier.liveKey !== undefined,
    renewDue: (state) => state.carrier.renewDue,

    renew({ facts: f, carrier: v }, now) {
      v.renewDue = false;
      f.id = deriveRenewedId(renewalKey, f.baseline!.id, v.idIssuedAt ?? f.createdAt);
      v.renewTo = f.id;
      v.idIssuedAt = now;
    },

    persist(state, plan, now, streaming) {
      const { facts: f, carrier: v } = state;
      const purgeKey = v.purgeKey;
      const slot = cache === undefined ? undefined : cacheSlot(cache, state, plan, now, streaming);
      if (plan.write === 'none' && plan.cookie === 'none' && purgeKey === undefined && slot === undefined) return NO_WORK;
      const headers: ResponseHeader[] =
        plan.cookie === 'set'
          ? [transport.set(cookie, signer.sign(f.id), f.persistent ? (expiryOf(options, { createdAt: f.createdAt, lastSeenAt: now }) - now) / 1000 : undefined, now)]
          : plan.cookie === 'clear'
            ? [transport.clear(cookie, now)]
            : [];
      if (slot !== undefined) headers.push(slot.header);
      if (plan.write === 'none' && purgeKey === undefined) {
        return slot?.fill === undefined ? { headers, pending: false, run: undefined } : { headers, pending: true, run: async () => slot.fill!() };
      }
      return {
        headers,
        pending: true,
        // One deadline for the whole commit, its wait behind other commits of the session included.
        run: () => caller.withDeadline(async (caller) => {
          if (purgeKey !== undefined) await caller.delete(purgeKey);
          v.purgeKey = undefined;
          if (plan.write === 'none') return;
          if (plan.write !== 'delete') return write(state, plan, now, caller);
          const loadedId = f.baseline!.id;
          await succession.end(caller, loadedKeyOf(v), now);
          for (const key of keysOf(state)) await caller.delete(key);
          if (cache !== undefined) cache.destroyed(f.baseline!.text, now);
          emit('destroyed', loadedId, decodeRecord(f.baseline!.text)?.userId);
          settle(state, undefined, now);
        }).then(slot?.fill),
      };
    },

    listSessions: (userId, current) =>
      listUserSessions(caller, options, userId, current && current.facts.baseline?.id === current.facts.id ? loadedKeyOf(current.carrier) : undefined),
    revokeSession(userId, handle) {
      cache?.revoked(userId, options.clock.now());
      return revokeUserSession(caller, userId, handle, (key) => succession.end(caller, key, options.clock.now()));
    },
    revokeSessions(userId, except) {
      const keep = except && except.facts.baseline?.id === except.facts.id ? loadedKeyOf(except.carrier) : undefined;
      cache?.revoked(userId, options.clock.now());
      return revokeOtherSessions(caller, userId, keep, except?.carrier.cache?.hit === true);
    },
  };
}
