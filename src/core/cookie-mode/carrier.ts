import { NO_WORK } from '../carrier.js';
import type { Carrier, CarrierContext, CarrierWork, RequestState } from '../carrier.js';
import type { ResolvedCookieOptions } from '../cookie/options.js';
import { createSealer } from '../crypto/sealer.js';
import { SessionError } from '../errors.js';
import { userIdOf } from '../options.js';
import type { CookieModeOptions } from '../options.js';
import { expiryOf } from '../policy.js';
import { blankFacts, settleFacts } from '../session.js';
import type { SessionFacts } from '../session.js';
import { createStoreCaller } from '../store-caller.js';
import type { ResponseHeader } from '../transport.js';
import type { ClientInfo } from '../types.js';
import { chunkCountFor, maxChunksFor, readToken, splitToken } from './chunks.js';
import type { ReadToken } from './chunks.js';
import { decodePayload, encodePayload } from './payload.js';
import type { SealedPayload } from './payload.js';
import { createRevocation } from './revocation.js';

/** Times inside a payload may run ahead of this server's clock by this much (other servers' clocks). */
const CLOCK_SKEW_MS = 60_000;

/** What cookie mode keeps per request, beside the session's facts. */
export interface CookieVisit {
  /** Session cookie names the client holds (from the request, then from what we set). */
  present: string[];
  /** The names carrying the live token; the rest of `present` is stale and gets cleared. */
  current: string[];
  issuedAt: number;
  checkedAt: number;
  /** The payload as opened (or last sealed): with the session's data, the baseline for change detection. */
  sealed: SealedPayload | undefined;
  /** A revocation check ran (or `revokeSessions` kept this session): re-seal to record it. */
  resealDue: boolean;
  /** Session IDs to put on the revocation list, written by the next `run()`. */
  pendingRevoke: Array<{ id: string; untilAt: number }>;
}

type State = RequestState<CookieVisit>;

function unsupported(what: string): SessionError {
  return new SessionError('ERR_SESSION_UNSUPPORTED', `${what} is not available in mode: 'cookie': there is no session store to list or delete sessions in`);
}

/** The AEAD context of a token: the cookie name and the chunk count. */
const contextOf = (name: string, count: number): string => `tessera-session\u0000${name}\u0000${count}`;

/** Sealed-cookie mode: the whole session, encrypted, in the cookie (split into chunks past 4 KB); no store. */
export function createCookieCarrier(ctx: CarrierContext, input: CookieModeOptions): Carrier<CookieVisit> {
  const { options, emit } = ctx;
  const { cookie, transport } = options;
  const name = cookie.name;
  const oneToken = transport.kind === 'header';
  const sealer = createSealer(ctx.keyring);
  const maxChunks = maxChunksFor(name, options.maxCookieBytes);
  const revocation = input.revocationStore === undefined ? undefined : createRevocation(createStoreCaller(input.revocationStore, options.storeTimeoutMs));
  const cookieOptions = new Map<string, ResolvedCookieOptions>([[name, cookie]]);
  // Chunk cookies share every attribute (and so the __Host- rules) with the main cookie.
  const optionsFor = (cookieName: string): ResolvedCookieOptions => {
    let resolved = cookieOptions.get(cookieName);
    if (resolved === undefined) cookieOptions.set(cookieName, (resolved = Object.freeze({ ...cookie, name: cookieName })));
    return resolved;
  };
  const clearing = (names: readonly string[], now: number): ResponseHeader[] => names.map((n) => transport.clear(optionsFor(n), now));
  /** The header transport's one token, read like a single cookie. */
  const headerToken = (values: string[]): ReadToken =>
    values.length === 1 ? { status: 'ok', token: values[0]!, count: 1, present: [name], used: [name] } : { status: 'none', token: '', count: 0, present: [], used: [] };

  const stateOf = (facts: SessionFacts, present: string[], visit: Omit<CookieVisit, 'present' | 'pendingRevoke'>): State => ({
    facts,
    clearCookie: false,
    reissue: false,
    sentId: undefined,
    carrier: { present, pendingRevoke: [], ...visit },
  });
  const fresh = (now: number, client: ClientInfo | undefined, present: string[]): State => {
    const state = stateOf(blankFacts(options, now, options.persistent, client), present, {
      current: [],
      issuedAt: now,
      checkedAt: now,
      sealed: undefined,
      resealDue: false,
    });
    state.clearCookie = present.length > 0;
    return state;
  };
  /** The state of a sealed cookie that opened, checked and not revoked. */
  const opened = (client: ClientInfo | undefined, payload: SealedPayload, text: string, present: string[], used: string[], stale: boolean, checkedAt: number, resealDue: boolean): State => {
    const facts = blankFacts(options, payload.createdAt, payload.persistent, client, payload.id);
    facts.data = payload.data;
    facts.lastSeenAt = payload.lastSeenAt;
    facts.baseline = { id: payload.id, text, persistent: payload.persistent };
    const state = stateOf(facts, present, {
      current: used,
      issuedAt: payload.issuedAt,
      checkedAt,
      sealed: payload,
      resealDue,
    });
    state.reissue = stale;
    return state;
  };

  /** A commit's cookies; `apply` moves the session to its committed state once, on `run()` or when the headers leave. */
  function work(state: State, headers: ResponseHeader[], apply: () => void, revoke: CookieVisit['pendingRevoke'] = []): CarrierWork {
    const v = state.carrier;
    let applied = false;
    const applyOnce = (): void => {
      if (applied) return;
      applied = true;
      apply();
      state.reissue = false;
      state.clearCookie = false;
      v.pendingRevoke.push(...revoke);
    };
    return {
      headers,
      pending: revocation !== undefined && (v.pendingRevoke.length > 0 || revoke.length > 0),
      sent: applyOnce,
      async run() {
        applyOnce();
        while (revocation !== undefined && v.pendingRevoke.length > 0) {
          const next = v.pendingRevoke[0]!;
          await revocation.revokeSession(next.id, next.untilAt);
          v.pendingRevoke.shift();
        }
      },
    };
  }

  const revokeEntry = (f: SessionFacts): CookieVisit['pendingRevoke'] =>
    revocation !== undefined && f.baseline !== undefined ? [{ id: f.baseline.id, untilAt: f.createdAt + options.lifetimeMs + CLOCK_SKEW_MS }] : [];

  return {
    sealed: true,

    read(header, client, now) {
      const read = oneToken ? headerToken(transport.values(header, name)) : readToken(header, name, maxChunks);
      if (read.status !== 'ok') {
        if (read.status !== 'none') emit(read.status === 'duplicate' ? 'duplicate_cookie' : 'invalid_cookie');
        return fresh(now, client, read.present);
      }
      const unsealed = sealer.open(read.token, contextOf(name, read.count));
      if (unsealed === null) {
        emit('invalid_cookie');
        return fresh(now, client, read.present);
      }
      const text = unsealed.plaintext.toString('utf8');
      const payload = decodePayload(text);
      if (payload === undefined) {
        emit('corrupt');
        return fresh(now, client, read.present);
      }
      // Two sessions under one name (a chunked one and a single cookie tossed beside it): neither is used.
      const rival = read.rival && sealer.open(read.rival.token, contextOf(name, read.rival.count));
      if (rival && decodePayload(rival.plaintext.toString('utf8'))?.id !== payload.id) {
        emit('duplicate_cookie');
        return fresh(now, client, read.present);
      }
      const future = now + CLOCK_SKEW_MS;
      if (payload.createdAt > future || payload.lastSeenAt > future || payload.issuedAt > future || payload.checkedAt > future) {
        emit('invalid_cookie', payload.id);
        return fresh(now, client, read.present);
      }
      if (Math.min(payload.expiresAt, expiryOf(options, payload)) <= now) {
        emit('expired', payload.id);
        return fresh(now, client, read.present);
      }
      if (revocation === undefined || now - payload.checkedAt < options.revocationCheckAfterMs) {
        return opened(client, payload, text, read.present, read.used, unsealed.stale, payload.checkedAt, false);
      }
      return revocation.isRevoked(userIdOf(options, payload.data), payload.id, payload.issuedAt).then((revoked) => {
        if (revoked) {
          emit('unknown_id', payload.id);
          return fresh(now, client, read.present);
        }
        // With a check on every request there is nothing to record.
        const recorded = options.revocationCheckAfterMs > 0;
        return opened(client, payload, text, read.present, read.used, unsealed.stale, recorded ? now : payload.checkedAt, recorded);
      });
    },

    // issuedAt as it is now: kept by revokeSessions({ except }), the session must be re-sealed.
    changed: ({ facts: f, carrier: v }) =>
      v.sealed === undefined || encodePayload({ ...v.sealed, id: f.id, issuedAt: v.issuedAt, persistent: f.persistent, data: f.data }) !== f.baseline?.text,
    due: (state) => state.carrier.resealDue,
    forwarded: () => false,
    renewDue: () => false,

    renew() {
      throw new Error('tessera: internal error, no ID renewal in cookie mode');
    },

    persist(state, plan, now) {
      const { facts: f, carrier: v } = state;
      if (plan.write === 'delete' || plan.write === 'none') {
        // Destroyed or unusable: clear every session cookie; otherwise only stale chunks.
        const cleared = plan.cookie === 'clear' ? v.present : f.cookieLocked ? [] : v.present.filter((n) => !v.current.includes(n));
        const destroyed = plan.write === 'delete';
        if (!destroyed && cleared.length === 0 && v.pendingRevoke.length === 0) return NO_WORK;
        return work(
          state,
          clearing(cleared, now),
          () => {
            if (destroyed) {
              emit('destroyed', f.baseline!.id);
              settleFacts(f, undefined, now);
              v.current = [];
            }
            v.present = v.present.filter((n) => !cleared.includes(n));
          },
          destroyed ? revokeEntry(f) : [],
        );
      }
      const isNew = f.baseline === undefined;
      const isCreate = plan.write === 'create';
      const payload: SealedPayload = {
        id: f.id,
        createdAt: f.createdAt,
        lastSeenAt: now,
        issuedAt: isCreate ? now : v.issuedAt,
        checkedAt: isCreate ? now : v.checkedAt,
        expiresAt: expiryOf(options, { createdAt: f.createdAt, lastSeenAt: now }),
        persistent: f.persistent,
        data: f.data,
      };
      const text = encodePayload(payload);
      const count = chunkCountFor(name, sealer.tokenLength(Buffer.byteLength(text, 'utf8')), options.maxCookieBytes, oneToken);
      const pairs = splitToken(name, sealer.seal(text, contextOf(name, count)), count);
      const maxAge = f.persistent ? (payload.expiresAt - now) / 1000 : undefined;
      const names = pairs.map(([n]) => n);
      const headers = pairs.map(([n, value]) => transport.set(optionsFor(n), value, maxAge, now));
      headers.push(...clearing(v.present.filter((n) => !names.includes(n)), now));
      const id = f.id;
      return work(
        state,
        headers,
        () => {
          if (plan.replaces) emit('regenerated', id);
          else if (isNew) emit('created', id);
          settleFacts(f, { id, text, persistent: payload.persistent }, now);
          v.present = names;
          v.current = names;
          v.issuedAt = payload.issuedAt;
          v.checkedAt = payload.checkedAt;
          v.sealed = payload;
          v.resealDue = false;
        },
        plan.replaces ? revokeEntry(f) : [],
      );
    },

    listSessions: () => Promise.reject(unsupported('listSessions')),
    revokeSession: () => Promise.reject(unsupported('revokeSession')),
    async revokeSessions(userId, except) {
      if (revocation === undefined) {
        throw new SessionError('ERR_SESSION_UNSUPPORTED', "revokeSessions in mode: 'cookie' needs a revocationStore (any tessera store) to keep the per-user revocation time");
      }
      const now = options.clock.now();
      const notBeforeAt = await revocation.revokeUser(userId, now, now + options.lifetimeMs + CLOCK_SKEW_MS);
      if (except !== undefined) {
        // Keep the current session: it is re-sealed as issued now, after the revocation time.
        except.carrier.issuedAt = notBeforeAt;
        except.carrier.resealDue = true;
      }
      // A sealed session lives only in its cookies, so how many ended is unknown.
      return 0;
    },
  };
}
