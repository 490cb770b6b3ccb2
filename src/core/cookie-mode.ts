import type { BackendContext } from './backend.js';
import { chunkCountFor, maxChunksFor, readToken, splitToken } from './cookie-mode/chunks.js';
import type { ReadToken } from './cookie-mode/chunks.js';
import type { ResolvedCookieOptions } from './cookie/options.js';
import { decodePayload, encodePayload } from './cookie-mode/payload.js';
import type { SealedPayload } from './cookie-mode/payload.js';
import { createRevocation } from './cookie-mode/revocation.js';
import type { Revocation } from './cookie-mode/revocation.js';
import { createSealer } from './crypto/sealer.js';
import { SessionError } from './errors.js';
import type { Backend, PreparedCommit } from './manager.js';
import type { CookieModeOptions } from './options.js';
import { createSession, sessionState } from './session.js';
import type { Session, SessionState } from './session.js';
import { serializeClearCookie, serializeSetCookie } from './cookie/set-cookie.js';
import type { SessionStore } from './store.js';
import { createStoreCaller } from './store-caller.js';
import type { ClientInfo } from './types.js';

/** Times inside a payload may run ahead of this server's clock by this much (other servers' clocks). */
const CLOCK_SKEW_MS = 60_000;

/** What cookie mode keeps per session beside the shared SessionState. */
interface CookieMeta {
  /** Session cookie names the client holds (from the request, then from what we set). */
  present: string[];
  /** The names carrying the live token; the rest of `present` is stale and gets cleared. */
  current: string[];
  issuedAt: number;
  checkedAt: number;
  /** `checkedAt` and `expiresAt` as sealed in the loaded cookie: the baseline for change detection. */
  sealedCheckedAt: number;
  sealedExpiresAt: number;
  /** A revocation check ran (or `revokeSessions` kept this session): re-seal to record it. */
  resealDue: boolean;
  /** Session IDs to put on the revocation list, written by the next `run()`. */
  pendingRevoke: Array<{ id: string; untilAt: number }>;
}

const metas = new WeakMap<SessionState, CookieMeta>();

function unsupported(what: string): SessionError {
  return new SessionError('ERR_SESSION_UNSUPPORTED', `${what} is not available in mode: 'cookie': there is no session store to list or delete sessions in`);
}

/** The AEAD context of a token: the cookie name and the chunk count. */
const contextOf = (name: string, count: number): string => `tessera-session\u0000${name}\u0000${count}`;

/** Sealed-cookie mode: the whole session, encrypted, in the cookie (split into chunks past 4 KB); no store. */
export function createCookieBackend<T extends object>(ctx: BackendContext, input: CookieModeOptions): Backend<T> {
  const { options, emit, newState } = ctx;
  const { clock, cookie } = options;
  const name = cookie.name;
  const sealer = createSealer(ctx.keyring);
  const maxChunks = maxChunksFor(name, options.maxCookieBytes);
  const revocationStore: SessionStore | undefined = input.revocationStore;
  const revocation: Revocation | undefined =
    revocationStore === undefined ? undefined : createRevocation(createStoreCaller(revocationStore, options.storeTimeoutMs));
  const appliers = new WeakMap<PreparedCommit, () => void>();
  const cookieOptions = new Map<string, ResolvedCookieOptions>([[name, cookie]]);

  const optionsFor = (cookieName: string): ResolvedCookieOptions => {
    let resolved = cookieOptions.get(cookieName);
    if (resolved === undefined) {
      // Chunk cookies share every attribute (and so the __Host- rules) with the main cookie.
      resolved = Object.freeze({ ...cookie, name: cookieName });
      cookieOptions.set(cookieName, resolved);
    }
    return resolved;
  };

  const expiryOf = (p: Pick<SealedPayload, 'createdAt' | 'lastSeenAt'>): number => Math.min(p.createdAt + options.lifetimeMs, p.lastSeenAt + options.idleMs);

  const userIdOf = (data: Record<string, unknown>): string | undefined => {
    const value = data[options.userKey];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  };

  const metaOf = (s: SessionState): CookieMeta => {
    const meta = metas.get(s);
    if (meta === undefined) throw new SessionError('ERR_SESSION_NOT_LOADED', 'this session was not loaded by this cookie-mode manager');
    return meta;
  };

  const fresh = (now: number, client: ClientInfo | undefined, present: string[]): Session<T> => {
    const state = newState(now, client);
    state.clearCookie = present.length > 0;
    metas.set(state, { present, current: [], issuedAt: now, checkedAt: now, sealedCheckedAt: now, sealedExpiresAt: now, resealDue: false, pendingRevoke: [] });
    return createSession<T>(state);
  };

  function loadNow(cookieHeader: string | null | undefined, client?: ClientInfo): Session<T> | Promise<Session<T>> {
    const now = clock.now();
    const read = readToken(cookieHeader, name, maxChunks);
    if (read.status === 'none') return fresh(now, client, read.present);
    if (read.status !== 'ok') {
      emit(read.status === 'duplicate' ? 'duplicate_cookie' : 'invalid_cookie');
      return fresh(now, client, read.present);
    }
    const opened = sealer.open(read.token, contextOf(name, read.count));
    if (opened === null) {
      emit('invalid_cookie');
      return fresh(now, client, read.present);
    }
    const text = opened.plaintext.toString('utf8');
    const payload = decodePayload(text);
    if (payload === undefined) {
      emit('corrupt');
      return fresh(now, client, read.present);
    }
    const future = now + CLOCK_SKEW_MS;
    if (payload.createdAt > future || payload.lastSeenAt > future || payload.issuedAt > future || payload.checkedAt > future) {
      emit('invalid_cookie', payload.id);
      return fresh(now, client, read.present);
    }
    if (Math.min(payload.expiresAt, expiryOf(payload)) <= now) {
      emit('expired', payload.id);
      return fresh(now, client, read.present);
    }
    if (revocation !== undefined && now - payload.checkedAt >= options.revocationCheckAfterMs) {
      return revocation.isRevoked(userIdOf(payload.data), payload.id, payload.issuedAt).then((revoked) => {
        if (revoked) {
          emit('unknown_id', payload.id);
          return fresh(now, client, read.present);
        }
        // With a check on every request there is nothing to record.
        const recorded = options.revocationCheckAfterMs > 0;
        return sessionOf(read, payload, text, opened.stale, now, client, recorded ? now : payload.checkedAt, recorded);
      });
    }
    return sessionOf(read, payload, text, opened.stale, now, client, payload.checkedAt, false);
  }

  /** The session of a sealed cookie that opened, checked and not revoked. */
  function sessionOf(read: ReadToken, payload: SealedPayload, text: string, stale: boolean, now: number, client: ClientInfo | undefined, checkedAt: number, resealDue: boolean): Session<T> {
    const state = newState(now, client);
    state.id = payload.id;
    state.loadedId = payload.id;
    state.loadedText = text;
    state.data = payload.data;
    state.createdAt = payload.createdAt;
    state.lastSeenAt = payload.lastSeenAt;
    state.persistent = payload.persistent;
    state.reissue = stale;
    metas.set(state, {
      present: read.present,
      current: read.used,
      issuedAt: payload.issuedAt,
      checkedAt,
      sealedCheckedAt: payload.checkedAt,
      sealedExpiresAt: payload.expiresAt,
      resealDue,
      pendingRevoke: [],
    });
    return createSession<T>(state);
  }

  const clearing = (names: readonly string[], now: number): string[] => names.map((n) => serializeClearCookie(optionsFor(n), now));

  /** A prepared commit; `apply` moves the session to its committed state once, on `run()` or when the headers leave. */
  function prepared(m: CookieMeta, setCookie: string[], cookieId: string | null, apply: () => void, revoke: CookieMeta['pendingRevoke'] = []): PreparedCommit {
    let applied = false;
    const applyOnce = (): void => {
      if (applied) return;
      applied = true;
      apply();
      m.pendingRevoke.push(...revoke);
    };
    const pending = revocation !== undefined && (m.pendingRevoke.length > 0 || revoke.length > 0);
    const result: PreparedCommit = {
      setCookie,
      cookieId: setCookie.length === 0 ? undefined : cookieId,
      pending,
      async run() {
        applyOnce();
        while (revocation !== undefined && m.pendingRevoke.length > 0) {
          const next = m.pendingRevoke[0]!;
          await revocation.revokeSession(next.id, next.untilAt);
          m.pendingRevoke.shift();
        }
      },
    };
    appliers.set(result, applyOnce);
    return result;
  }

  const settle = (s: SessionState): void => {
    s.status = 'unchanged';
    s.touched = false;
    s.updaters.clear();
    s.reissue = false;
    s.clearCookie = false;
  };

  const revokeEntry = (s: SessionState): CookieMeta['pendingRevoke'] =>
    revocation !== undefined && s.loadedId !== undefined ? [{ id: s.loadedId, untilAt: s.createdAt + options.lifetimeMs + CLOCK_SKEW_MS }] : [];

  function prepareCommit(session: Session<T>): PreparedCommit {
    const s = sessionState(session as Session<object>);
    const m = metaOf(s);
    const now = clock.now();

    if (s.status === 'destroyed') {
      const cleared = s.cookieSent ? [] : m.present;
      return prepared(
        m,
        clearing(cleared, now),
        null,
        () => {
          if (s.loadedId !== undefined) emit('destroyed', s.loadedId);
          s.loadedId = undefined;
          s.loadedText = undefined;
          s.id = '';
          settle(s);
          m.present = m.present.filter((n) => !cleared.includes(n));
          m.current = [];
        },
        revokeEntry(s),
      );
    }

    if (s.loadedId === undefined && (s.status === 'unchanged' || (Object.keys(s.data).length === 0 && !s.touched))) {
      // Nothing to keep; clear whatever unusable session cookies came in (forged, expired, revoked).
      const cleared = s.cookieSent ? [] : m.present;
      return prepared(m, clearing(cleared, now), null, () => {
        s.clearCookie = false;
        m.present = m.present.filter((n) => !cleared.includes(n));
      });
    }

    const id = session.id;
    const replacing = s.loadedId !== undefined && s.loadedId !== id;
    const isNew = s.loadedId === undefined || replacing;
    const changed =
      isNew ||
      s.touched ||
      ((s.status === 'modified' || s.exposed === true) &&
        encodePayload({
          id,
          createdAt: s.createdAt,
          lastSeenAt: s.lastSeenAt,
          issuedAt: m.issuedAt,
          checkedAt: m.sealedCheckedAt,
          expiresAt: m.sealedExpiresAt,
          persistent: s.persistent,
          data: s.data,
        }) !== s.loadedText);
    const touchDue = Number.isFinite(options.idleMs) && now - s.lastSeenAt >= options.touchAfterMs;
    const stale = m.present.filter((n) => !m.current.includes(n));

    if (!changed && !touchDue && !s.reissue && !m.resealDue) {
      if (s.status === 'modified') s.status = 'unchanged';
      const cleared = s.cookieSent ? [] : stale;
      return prepared(m, clearing(cleared, now), id, () => {
        m.present = m.present.filter((n) => !cleared.includes(n));
      });
    }
    if (s.cookieSent) {
      if (changed) {
        throw new SessionError(
          'ERR_SESSION_HEADERS_SENT',
          'the sealed session changed after the response headers were sent, so its cookie cannot carry the change; change the session before writing the response, or await saveSession() first',
        );
      }
      // A due idle refresh, key re-seal or revocation record waits for the next response.
      return prepared(m, [], id, () => {});
    }

    const payload: SealedPayload = {
      id,
      createdAt: s.createdAt,
      lastSeenAt: now,
      issuedAt: isNew ? now : m.issuedAt,
      checkedAt: isNew ? now : m.checkedAt,
      expiresAt: Math.min(s.createdAt + options.lifetimeMs, now + options.idleMs),
      persistent: s.persistent,
      data: s.data,
    };
    const text = encodePayload(payload);
    const count = chunkCountFor(name, sealer.tokenLength(Buffer.byteLength(text, 'utf8')), options.maxCookieBytes);
    const pairs = splitToken(name, sealer.seal(text, contextOf(name, count)), count);
    const maxAge = s.persistent ? (payload.expiresAt - now) / 1000 : undefined;
    const names = pairs.map(([n]) => n);
    const setCookie = pairs.map(([n, value]) => serializeSetCookie(optionsFor(n), value, maxAge, now));
    setCookie.push(...clearing(m.present.filter((n) => !names.includes(n)), now));
    const revoke = replacing ? revokeEntry(s) : [];
    return prepared(
      m,
      setCookie,
      id,
      () => {
        if (replacing) emit('regenerated', id);
        else if (isNew) emit('created', id);
        s.loadedId = id;
        s.loadedText = text;
        s.lastSeenAt = now;
        settle(s);
        m.present = names;
        m.current = names;
        m.issuedAt = payload.issuedAt;
        m.checkedAt = payload.checkedAt;
        m.sealedCheckedAt = payload.checkedAt;
        m.sealedExpiresAt = payload.expiresAt;
        m.resealDue = false;
      },
      revoke,
    );
  }

  const needRevocation = (): Revocation => {
    if (revocation === undefined) {
      throw new SessionError('ERR_SESSION_UNSUPPORTED', "revokeSessions in mode: 'cookie' needs a revocationStore (any tessera store) to keep the per-user revocation time");
    }
    return revocation;
  };

  return {
    get store(): SessionStore {
      if (revocationStore === undefined) throw new SessionError('ERR_SESSION_UNSUPPORTED', "mode: 'cookie' has no session store (and no revocationStore was given)");
      return revocationStore;
    },
    loadNow,
    prepareCommit,
    markHeadersSent(session, preparedCommit) {
      const s = sessionState(session as Session<object>);
      if (preparedCommit !== undefined) appliers.get(preparedCommit)?.();
      s.cookieSent = true;
    },
    listSessions: () => Promise.reject(unsupported('listSessions')),
    revokeSession: () => Promise.reject(unsupported('revokeSession')),
    async revokeSessions(userId, revokeOptions) {
      const now = clock.now();
      const notBeforeAt = await needRevocation().revokeUser(userId, now, now + options.lifetimeMs + CLOCK_SKEW_MS);
      const except = revokeOptions?.except;
      if (except !== undefined) {
        // Keep the current session: it is re-sealed as issued now, after the revocation time.
        const m = metas.get(sessionState(except as Session<object>));
        if (m !== undefined) {
          m.issuedAt = notBeforeAt;
          m.resealDue = true;
        }
      }
      // A sealed session lives only in its cookies, so how many ended is unknown.
      return 0;
    },
  };
}
