import { SessionError, isSessionError } from '../index.js';
import { dbscAccess } from '../adapter/index.js';
import type { Binding, DbscAccess, DbscLookup } from '../adapter/index.js';
import { readStringItem, sfString } from './headers.js';
import { verifyRefreshProof, verifyRegistrationProof } from './proof.js';
import { createRateLimiter } from './rate-limit.js';
import { inScope } from './scope.js';

/** Options of the DBSC endpoints. */
export interface DbscEndpointOptions {
  /** Refresh requests allowed per DBSC session per window, in memory. Default `{ max: 20, window: 300, maxSessions: 10000 }`. */
  rateLimit?: {
    /** Requests per window. Default 20 (a refresh takes two: the challenge, then the proof). */
    max?: number;
    /** Window length in seconds. Default 300. */
    window?: number;
    /** Sessions tracked at most; the oldest are forgotten first. Default 10 000. */
    maxSessions?: number;
  };
}

/** The registration and refresh endpoints, over Web `Request`/`Response`. */
export interface DbscEndpoints {
  /** The registration endpoint (POST `dbsc.registrationPath`). Never rejects (see `handle`). */
  register(request: Request): Promise<Response>;
  /** The refresh endpoint (POST `dbsc.refreshPath`). Never rejects (see `handle`). */
  refresh(request: Request): Promise<Response>;
  /**
   * Routes by path: the endpoint's answer, or undefined when the request is for neither path, with
   * one exception: a `GET` or `HEAD` elsewhere whose bound cookie has expired by the server's clock
   * (while the browser still holds it) answers `307` to the same URL with that cookie cleared, so
   * that the browser refreshes before it follows the redirect (see `expiredBoundCookie`).
   * Never rejects: a store failure answers 503 with `Retry-After` (the browser keeps its session
   * and retries later), any other failure 500.
   */
  handle(request: Request): Promise<Response | undefined>;
  /**
   * For a `GET` or `HEAD` request in the DBSC session's scope (`dbsc.scope`) that carries a bound
   * cookie whose expiry (written in the cookie) has passed by the server's clock: `307` to the same path and query, with the bound cookie
   * cleared; else undefined. A DBSC browser refreshes before it follows the redirect; any other
   * client follows it without the bound cookie, so a bound session gives it no access. No store
   * read. `handle` calls it; call it yourself in front of your routes when you mount
   * `register` and `refresh` one by one.
   */
  expiredBoundCookie(request: Request): Response | undefined;
}

/** Headers every DBSC answer carries: never cached, never framed, never read cross-origin (no CORS header at all). */
const HARDENING: ReadonlyArray<[string, string]> = [
  ['cache-control', 'no-store'],
  ['x-frame-options', 'DENY'],
  ['cross-origin-resource-policy', 'same-origin'],
  ['x-content-type-options', 'nosniff'],
];

function answer(status: number, body?: unknown, extra: ReadonlyArray<[string, string]> = []): Response {
  const headers = new Headers(HARDENING as Array<[string, string]>);
  for (const [name, value] of extra) headers.append(name, value);
  if (body !== undefined) headers.set('content-type', 'application/json');
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers });
}

const header = (request: Request, current: string, legacy: string): string | null => request.headers.get(current) ?? request.headers.get(legacy);

/**
 * The DBSC endpoints of a manager made with the `dbsc` option. Mount `handle` (or `register` and
 * `refresh` at their paths) before the session middleware, or in front of any route: they read
 * the session cookie themselves. Throws `ERR_SESSION_CONFIG` when the manager has no `dbsc`.
 *
 * @example
 * const endpoints = createDbscEndpoints(manager);
 * // Fetch, Hono, Bun, Deno: const answer = await endpoints.handle(request);
 */
export function createDbscEndpoints(manager: { readonly cookieName: string }, options: DbscEndpointOptions = {}): DbscEndpoints {
  const access: DbscAccess = dbscAccess(manager);
  const { config } = access;
  const rate = options.rateLimit ?? {};
  const max = rate.max ?? 20;
  const windowSeconds = rate.window ?? 300;
  const maxSessions = rate.maxSessions ?? 10_000;
  if (![max, windowSeconds, maxSessions].every((n) => Number.isFinite(n) && n > 0)) throw new SessionError('ERR_SESSION_CONFIG', 'rateLimit max, window and maxSessions must be positive numbers');
  const limiter = createRateLimiter(max, windowSeconds * 1000, maxSessions);

  const instructions = (binding: Binding): unknown => ({
    session_identifier: binding.id,
    refresh_url: config.refreshPath,
    continue: true,
    scope: { include_site: false, scope_specification: config.scope },
    credentials: [{ type: 'cookie', name: config.cookie.name, attributes: config.attributes }],
  });
  const challengeHeaders = (binding: Binding, kind: 'r' | 'p'): Array<[string, string]> => {
    const value = `${sfString(access.challenge(binding, kind))};id=${sfString(binding.id)}`;
    return [['secure-session-challenge', value], ['sec-session-challenge', value]];
  };
  /** A new bound cookie, the instructions, and the next challenge sent ahead of time. */
  const issue = (binding: Binding): Response => answer(200, instructions(binding), [['set-cookie', access.boundCookie(binding)], ...challengeHeaders(binding, 'p')]);
  const end = (): Response => answer(200, { continue: false }, [['set-cookie', access.clearBoundCookie()]]);
  const proofOf = (request: Request): string | undefined => readStringItem(header(request, 'secure-session-response', 'sec-session-response'));
  const notPost = (request: Request): Response | undefined => (request.method === 'POST' ? undefined : answer(405, undefined, [['allow', 'POST']]));

  async function register(request: Request): Promise<Response> {
    const refused = notPost(request);
    if (refused !== undefined) return refused;
    const token = proofOf(request);
    if (token === undefined) return answer(400);
    const proof = await verifyRegistrationProof(token, config.algorithms, access.now());
    const lookup = await access.lookup(request.headers.get('cookie'));
    if (!proof.ok) {
      access.emit(lookup, 'dbsc_proof_failed');
      return answer(403);
    }
    // Registration is for a logged-in session that is not bound yet, with a challenge issued to it.
    if (lookup === undefined || lookup.userId === undefined || lookup.binding !== undefined || !access.checkRegistration(lookup, proof.jti).ok) return answer(403);
    const written = await access.bind(lookup, proof.key);
    if (written.status !== 'ok') return answer(403);
    access.emit(lookup, 'dbsc_bound');
    return issue(written.binding);
  }

  async function refresh(request: Request): Promise<Response> {
    const refused = notPost(request);
    if (refused !== undefined) return refused;
    // Only the browser sends Sec-Secure-Session-Id (a script cannot set a Sec- header): anything
    // else is refused before the session is even looked up, so it learns nothing of it.
    const sessionIdentifier = readStringItem(header(request, 'sec-secure-session-id', 'sec-session-id'));
    if (sessionIdentifier === undefined || sessionIdentifier.length > 64) return answer(400);
    if (!limiter.hit(sessionIdentifier, access.now())) return answer(429, undefined, [['retry-after', String(windowSeconds)]]);
    const lookup: DbscLookup | undefined = await access.lookup(request.headers.get('cookie'));
    const binding = lookup?.binding;
    // No live session, or not this DBSC session: the browser ends its DBSC session.
    if (lookup === undefined || binding === undefined || binding.id !== sessionIdentifier) return end();
    const token = proofOf(request);
    if (token === undefined) return answer(403, undefined, challengeHeaders(binding, 'r'));
    const proof = await verifyRefreshProof(token, binding, access.now());
    if (!proof.ok) {
      access.emit(lookup, 'dbsc_proof_failed');
      // A garbled header may be retried; a proof by another key or algorithm ends it.
      return proof.reason === 'malformed' ? answer(403, undefined, challengeHeaders(binding, 'r')) : end();
    }
    const check = access.checkRefresh(binding, proof.jti);
    // Stale, used, or issued to another session: a fresh challenge to sign (only the device can).
    if (!check.ok) return answer(403, undefined, challengeHeaders(binding, 'r'));
    const written = await access.consume(lookup, check.nonce, check.issuedAt);
    if (written.status === 'used') return answer(403, undefined, challengeHeaders(binding, 'r'));
    if (written.status !== 'ok') return end();
    access.emit(lookup, 'dbsc_refreshed');
    return issue(written.binding);
  }

  /** A failure is a 5xx, which the browser answers by trying later, never by ending its session. */
  const guarded = (endpoint: (request: Request) => Promise<Response>) => async (request: Request): Promise<Response> => {
    try {
      return await endpoint(request);
    } catch (error) {
      return isSessionError(error) && error.code === 'ERR_SESSION_STORE' ? answer(503, undefined, [['retry-after', '1']]) : answer(500);
    }
  };
  function expiredBoundCookie(request: Request): Response | undefined {
    if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
    if (!access.boundCookieExpired(request.headers.get('cookie'))) return undefined;
    const url = new URL(request.url);
    // Out of the session's scope the browser does not refresh first: a redirect would only cost a round trip.
    if (!inScope(url, config.scope, config.refreshPath)) return undefined;
    return answer(307, undefined, [['location', url.pathname + url.search], ['set-cookie', access.clearBoundCookie()]]);
  }

  const guardedRegister = guarded(register);
  const guardedRefresh = guarded(refresh);
  return {
    register: guardedRegister,
    refresh: guardedRefresh,
    expiredBoundCookie,
    async handle(request) {
      const path = new URL(request.url).pathname;
      if (path === config.registrationPath) return guardedRegister(request);
      if (path === config.refreshPath) return guardedRefresh(request);
      return expiredBoundCookie(request);
    },
  };
}
