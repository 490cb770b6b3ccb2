import { findCookieValues } from './cookie/header.js';
import { hashStoreKey } from './crypto/random.js';
import { createIdSigner } from './crypto/signer.js';
import type { VerifiedId } from './crypto/signer.js';
import type { BackendContext } from './backend.js';
import { SessionError } from './errors.js';
import type { Backend, PrepareOptions, PreparedCommit } from './manager.js';
import { MemoryStore } from './memory-store.js';
import { decodeRecord, encodeRecord } from './store-mode/record.js';
import type { SessionRecord } from './store-mode/record.js';
import { createSession, sessionState } from './session.js';
import type { SessionState, Session } from './session.js';
import { serializeClearCookie, serializeSetCookie } from './cookie/set-cookie.js';
import type { SessionStore } from './store.js';
import { createStoreCaller } from './store-caller.js';
import { commitRecord, renewRecord } from './store-mode/commit.js';
import { decodeForward } from './store-mode/forward.js';
import type { ForwardRecord } from './store-mode/forward.js';
import { deriveRenewedId } from './store-mode/renewal.js';
import type { ClientInfo } from './types.js';
import { listUserSessions, revokeUserSession, revokeUserSessions } from './store-mode/user-index.js';

/** The commit of a session with no cookie change and no store work (most reads): one shared, frozen value. */
const NOTHING_TO_COMMIT: PreparedCommit = Object.freeze({
  setCookie: Object.freeze([]) as unknown as string[],
  cookieId: undefined,
  pending: false,
  run: () => Promise.resolve(),
});

/** Store mode: the cookie carries a signed session ID; the record lives in a store, written with compare-and-set. */
export function createStoreBackend<T extends object>(ctx: BackendContext, input: { store?: SessionStore | undefined }): Backend<T> {
  const { options, emit, newState } = ctx;
  const signer = createIdSigner(ctx.keyring);
  const store = input.store ?? new MemoryStore({ clock: options.clock });
  const caller = createStoreCaller(store, store instanceof MemoryStore ? 0 : options.storeTimeoutMs);
  const { clock, cookie } = options;
  const storeKey = options.hashStoreKeys ? hashStoreKey : (id: string) => id;
  const renewalKey = ctx.keyring.derive('session-renewal')[0]!;

  const fresh = (now: number, client: ClientInfo | undefined, clearCookie: boolean, purgeKey?: string): Session<T> => {
    const state = newState(now, client);
    state.clearCookie = clearCookie;
    state.purgeKey = purgeKey;
    return createSession<T>(state);
  };

  const expiryOf = (record: Pick<SessionRecord, 'createdAt' | 'lastSeenAt'>): number =>
    Math.min(record.createdAt + options.lifetimeMs, record.lastSeenAt + options.idleMs);

  /** The one session ID the cookies name, or why there is none. */
  const pickId = (values: string[]): VerifiedId | 'invalid' | 'duplicate' | undefined => {
    if (values.length === 0) return undefined;
    let chosen: VerifiedId | undefined;
    for (const value of values) {
      const verified = signer.verify(value);
      if (verified === null) continue;
      if (chosen !== undefined && chosen.id !== verified.id) return 'duplicate';
      chosen = chosen === undefined || chosen.stale ? verified : chosen;
    }
    return chosen ?? 'invalid';
  };

  /**
   * The session named by the Cookie header: at once when the store reads synchronously (memory,
   * SQLite), else a promise. A store failure throws `ERR_SESSION_STORE` (synchronously, or by
   * rejecting).
   */
  function loadNow(cookieHeader: string | null | undefined, client?: ClientInfo): Session<T> | Promise<Session<T>> {
    const now = clock.now();
    const picked = pickId(findCookieValues(cookieHeader, cookie.name));
    if (picked === undefined) return fresh(now, client, false);
    if (picked === 'invalid' || picked === 'duplicate') {
      emit(picked === 'invalid' ? 'invalid_cookie' : 'duplicate_cookie');
      return fresh(now, client, true);
    }
    const key = storeKey(picked.id);
    // A renewed ID's old cookie, within its grace window: follow the forward to the live record.
    const follow = <R>(text: string | undefined, readLive: (forward: ForwardRecord) => R): Session<T> | R => {
      const forward = text === undefined ? undefined : decodeForward(text);
      if (forward === undefined) return loaded(picked, key, text, undefined, now, client);
      if (forward.until <= now) return loaded(picked, key, undefined, forward, now, client);
      return readLive(forward);
    };
    const getSync = caller.getSync;
    if (getSync !== undefined) return follow(getSync(key), (forward) => loaded(picked, key, getSync(forward.key), forward, now, client));
    return caller.get(key).then((text) => follow(text, (forward) => caller.get(forward.key).then((live) => loaded(picked, key, live, forward, now, client))));
  }

  /** A session from the record text the store gave for the cookie's ID (through its forward, if any). */
  function loaded(picked: VerifiedId, key: string, text: string | undefined, forward: ForwardRecord | undefined, now: number, client: ClientInfo | undefined): Session<T> {
    if (text === undefined) {
      emit('unknown_id', picked.id);
      return fresh(now, client, true);
    }
    const record = decodeRecord(text);
    if (record === undefined) {
      emit('corrupt', picked.id);
      return fresh(now, client, true, key);
    }
    if (expiryOf(record) <= now) {
      emit('expired', picked.id);
      return fresh(now, client, true, key);
    }
    const state = newState(now, record.client ?? client);
    state.id = picked.id;
    state.loadedId = picked.id;
    state.loadedText = text;
    state.data = record.data;
    state.createdAt = record.createdAt;
    state.lastSeenAt = record.lastSeenAt;
    state.persistent = record.persistent;
    state.loadedPersistent = record.persistent;
    state.keyMemo = [picked.id, key];
    state.reissue = picked.stale;
    state.storeKey = forward?.key;
    state.idIssuedAt = record.idIssuedAt;
    state.renewDue = options.renewAfterMs > 0 && forward === undefined && now - (record.idIssuedAt ?? record.createdAt) >= options.renewAfterMs;
    return createSession<T>(state);
  }

  const userIdOf = (data: Record<string, unknown>): string | undefined => {
    const value = data[options.userKey];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  };

  const recordOf = (s: SessionState, lastSeenAt: number): SessionRecord => ({
    createdAt: s.createdAt,
    lastSeenAt,
    persistent: s.persistent,
    userId: userIdOf(s.data),
    client: s.client,
    idIssuedAt: s.idIssuedAt,
    data: s.data,
  });

  /** Where a loaded session's record lives: its own key, or the key its old ID forwards to. */
  /** The store key of `id`, hashed once per session state. */
  const keyOf = (s: SessionState, id: string): string => {
    const memo = s.keyMemo;
    if (memo !== undefined && memo[0] === id) return memo[1];
    const key = storeKey(id);
    s.keyMemo = [id, key];
    return key;
  };

  const loadedKeyOf = (s: SessionState): string => s.storeKey ?? keyOf(s, s.loadedId!);

  /** Every key a loaded session may occupy, for destroy and regenerate. */
  const keysOf = (s: SessionState): string[] => {
    const keys = [keyOf(s, s.loadedId!)];
    if (s.storeKey !== undefined) keys.push(s.storeKey);
    // A renewal racing this request meets its record under the derived ID: remove that too.
    else if (options.renewAfterMs > 0) keys.push(storeKey(deriveRenewedId(renewalKey, s.loadedId!, s.idIssuedAt ?? s.createdAt)));
    return keys;
  };

  const sessionCookie = (s: SessionState, now: number): string => {
    const maxAge = s.persistent ? (Math.min(s.createdAt + options.lifetimeMs, now + options.idleMs) - now) / 1000 : undefined;
    if (s.id === '') throw new Error('tessera: internal error, cookie for a session without an ID');
    return serializeSetCookie(cookie, signer.sign(s.id), maxAge, now);
  };

  const done = (setCookie: string[], work: (() => Promise<void>) | undefined, cookieId?: string): PreparedCommit =>
    setCookie.length === 0 && work === undefined
      ? NOTHING_TO_COMMIT
      : {
          setCookie,
          cookieId: setCookie.length === 0 ? undefined : (cookieId ?? null),
          pending: work !== undefined,
          run: work ?? (() => Promise.resolve()),
        };

  function prepareCommit(session: Session<T>, prepareOptions?: PrepareOptions): PreparedCommit {
    const s = sessionState(session as Session<object>);
    const now = clock.now();
    const purgeKey = s.purgeKey;
    const purge = purgeKey === undefined ? undefined : () => caller.delete(purgeKey);
    const clear = s.clearCookie && !s.cookieSent ? [serializeClearCookie(cookie, now)] : [];

    if (s.status === 'destroyed') {
      const loadedId = s.loadedId;
      if (loadedId === undefined) return done(clear, purge);
      const keys = keysOf(s);
      return done(s.cookieSent ? [] : [serializeClearCookie(cookie, now)], async () => {
        await purge?.();
        for (const key of keys) await caller.delete(key);
        emit('destroyed', loadedId);
        afterWrite(s, undefined);
      });
    }

    if (s.loadedId === undefined && (s.status === 'unchanged' || (Object.keys(s.data).length === 0 && !s.touched))) {
      return done(clear, purge);
    }

    // A renewal is started only where its store write runs before the new cookie leaves: not when
    // the headers go out ahead of a streamed body.
    if (s.renewDue === true && !s.cookieSent && prepareOptions?.streaming !== true && s.loadedId !== undefined && s.id === s.loadedId) {
      s.renewDue = false;
      s.renewFrom = s.loadedId;
      s.id = deriveRenewedId(renewalKey, s.loadedId, s.idIssuedAt ?? s.createdAt);
      s.idIssuedAt = now;
    }
    const id = session.id;
    const renewing = s.renewFrom !== undefined && s.renewFrom === s.loadedId;
    const replacing = s.loadedId !== undefined && s.loadedId !== id;
    const isNew = s.loadedId === undefined || replacing;
    const changed = isNew || s.touched || ((s.status === 'modified' || s.exposed === true) && encodeRecord(recordOf(s, s.lastSeenAt)) !== s.loadedText);
    const touchDue = Number.isFinite(options.idleMs) && now - s.lastSeenAt >= options.touchAfterMs;
    if (!changed && !touchDue) {
      if (s.status === 'modified') s.status = 'unchanged';
      const reissue = s.reissue && !s.cookieSent ? [sessionCookie(s, now)] : [];
      return done(reissue, purge, session.id);
    }
    // A session reached through a renewed ID's forward never re-sends the old ID: the renewing
    // response carries the new cookie.
    const forwarded = s.storeKey !== undefined && !isNew;
    const needsCookie = !forwarded && (isNew || s.reissue || s.persistent || s.persistent !== s.loadedPersistent);
    if (needsCookie && s.cookieSent && s.sentId !== session.id) {
      throw new SessionError('ERR_SESSION_HEADERS_SENT', 'the session needs a new cookie but the response headers were already sent; change the session before writing the response, or await saveSession() first');
    }
    const setCookie = needsCookie && !s.cookieSent ? [sessionCookie(s, now)] : [];
    return done(setCookie, async () => {
      await purge?.();
      const oldKeys = replacing && !renewing ? keysOf(s) : [];
      if (replacing && !renewing) s.idIssuedAt = options.renewAfterMs > 0 ? now : undefined;
      const record = recordOf(s, now);
      const commitInput = {
        caller,
        key: isNew ? keyOf(s, id) : loadedKeyOf(s),
        record,
        previous: isNew && !renewing ? undefined : s.loadedText,
        create: isNew && !renewing,
        expiresAt: expiryOf(record),
        maxRecordBytes: options.maxRecordBytes,
        maxRetries: options.maxCommitRetries,
        updaters: s.updaters,
        userIdOf,
        now,
        onConflict: () => emit('conflict', id),
      };
      const written = renewing
        ? await renewRecord({ ...commitInput, oldKey: loadedKeyOf(s), graceUntil: now + options.renewGraceMs })
        : await commitRecord(commitInput);
      // Regenerate writes the new record first, then removes the old one: a failed write leaves
      // the old session as it was instead of no session at all.
      if (oldKeys.length > 0) {
        for (const key of oldKeys) await caller.delete(key);
        emit('regenerated', id);
      }
      if (renewing && written !== undefined) emit('renewed', id);
      if (written === undefined) {
        // Another request destroyed the session meanwhile: never resurrect it.
        s.status = 'destroyed';
        s.data = Object.create(null) as Record<string, unknown>;
        afterWrite(s, undefined);
        return;
      }
      if (isNew && !replacing) emit('created', id);
      s.data = written.record.data;
      s.lastSeenAt = now;
      s.storeKey = written.key === keyOf(s, id) ? undefined : written.key;
      s.loadedPersistent = written.record.persistent;
      afterWrite(s, written.text);
    }, id);
  }

  function afterWrite(s: SessionState, text: string | undefined): void {
    if (text === undefined) {
      s.loadedId = undefined;
      s.loadedText = undefined;
      s.loadedPersistent = undefined;
      s.id = s.status === 'destroyed' ? '' : s.id;
    } else {
      s.loadedId = s.id;
      s.loadedText = text;
      s.status = 'unchanged';
    }
    if (s.status === 'destroyed') s.status = 'unchanged';
    s.touched = false;
    s.updaters.clear();
    s.reissue = false;
    s.clearCookie = false;
    s.purgeKey = undefined;
    s.renewFrom = undefined;
    if (text === undefined) s.storeKey = undefined;
  }

  const storeKeyOfSession = (session: Session<T>): string => sessionState(session as Session<object>).storeKey ?? storeKey(session.id);

  return {
    store,
    loadNow,
    prepareCommit,
    markHeadersSent(session, prepared) {
      const s = sessionState(session as Session<object>);
      s.cookieSent = true;
      const cookieId = prepared?.cookieId;
      s.sentId = cookieId === null ? undefined : (cookieId ?? s.loadedId);
    },
    listSessions: (userId, current) => listUserSessions(caller, userId, current && !current.isNew ? storeKeyOfSession(current) : undefined, expiryOf),
    revokeSession: (userId, handle) => revokeUserSession(caller, userId, handle),
    revokeSessions: (userId, revokeOptions) =>
      revokeUserSessions(caller, userId, revokeOptions?.except && !revokeOptions.except.isNew ? storeKeyOfSession(revokeOptions.except) : undefined),
  };
}
