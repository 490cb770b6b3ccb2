import type { CookieOptions, ResolvedCookieOptions } from '../cookie/options.js';
import { resolveCookieOptions } from '../cookie/options.js';
import { serializeSetCookie } from '../cookie/set-cookie.js';
import { SessionError } from '../errors.js';

/** A signature algorithm a DBSC key may use. `none` (no key at all) binds nothing and is not offered. */
export type DbscAlgorithm = 'ES256' | 'RS256';

/** One rule of the DBSC session scope (`scope_specification`): which URLs the bound cookie guards. */
export interface DbscScopeRule {
  /** Include or exclude the matching URLs. */
  type: 'include' | 'exclude';
  /** Host pattern (`*.example.com`); default every host of the scope. */
  domain?: string;
  /** Path prefix; default `/`. */
  path?: string;
}

/**
 * Device Bound Session Credentials (store mode only): see docs/device-bound-sessions.md. A logged-in
 * session (one whose data holds `userKey`) is offered a binding when it is regenerated; once bound,
 * a request counts only with a fresh short-lived bound cookie, which the browser renews by proving
 * possession of its key at `refreshPath`. Serve the endpoints with `tessera-session/dbsc`.
 */
export interface DbscOptions {
  /** Path of the registration endpoint. Default `/dbsc/register`. */
  registrationPath?: string;
  /** Path of the refresh endpoint. Default `/dbsc/refresh`. */
  refreshPath?: string;
  /** Algorithms offered and accepted, in order of preference. Default `['ES256', 'RS256']`. */
  algorithms?: DbscAlgorithm[];
  /** Lifetime of the bound cookie in seconds: one refresh per this much use. Default 600; at least 300 (Chromium's signing budget), at most 86 400. */
  boundLifetime?: number;
  /** How long a challenge stays valid, in seconds. Default 120; from 10 to 600. A challenge sent ahead of time (pre-provisioned) also gets `boundLifetime` more. */
  challengeLifetime?: number;
  /** Name of the bound cookie. Default `__Host-sid-bound` when the session cookie is Secure without Domain, else `sid-bound`. Its other attributes are the session cookie's. */
  cookieName?: string;
  /** Scope rules sent to the browser (for example `{ type: 'exclude', path: '/static' }`). Default none: the whole origin. */
  scope?: DbscScopeRule[];
}

/** The DBSC options as the core uses them. */
export interface ResolvedDbsc {
  /** Path of the registration endpoint. */
  readonly registrationPath: string;
  /** Path of the refresh endpoint. */
  readonly refreshPath: string;
  /** Algorithms offered and accepted. */
  readonly algorithms: readonly DbscAlgorithm[];
  /** Lifetime of the bound cookie, ms. */
  readonly boundLifetimeMs: number;
  /** Lifetime of a challenge, ms. */
  readonly challengeLifetimeMs: number;
  /** The bound cookie's options (the session cookie's attributes, its own name). */
  readonly cookie: ResolvedCookieOptions;
  /** The bound cookie's attributes as the JSON instructions give them: exactly those of its Set-Cookie, without Max-Age and Expires. */
  readonly attributes: string;
  /** Scope rules sent in the instructions. */
  readonly scope: readonly DbscScopeRule[];
}

const configError = (message: string): SessionError => new SessionError('ERR_SESSION_CONFIG', message);
/** A path that is safe inside a Structured Fields string and a JSON document. */
const PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;

function seconds(name: string, value: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw configError(`dbsc.${name} must be a number of seconds from ${min} to ${max}; got ${String(value)}`);
  }
  return value * 1000;
}

function path(name: string, value: string): string {
  if (typeof value !== 'string' || !PATH.test(value) || value.length > 512) throw configError(`dbsc.${name} must be a path starting with "/" (URL characters only); got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Validates the `dbsc` option. DBSC needs store mode with the cookie transport and a store with
 * compare-and-set: single-use challenges and the bound key are server state.
 */
export function resolveDbsc(input: DbscOptions | undefined, context: { mode: 'store' | 'cookie'; transport: 'cookie' | 'header'; cookie: CookieOptions | undefined }): ResolvedDbsc | undefined {
  if (input === undefined) return undefined;
  if (typeof input !== 'object' || input === null) throw configError('dbsc must be an options object ({} for the defaults)');
  if (context.mode === 'cookie') {
    throw configError(
      "dbsc needs mode: 'store': single-use challenges and revoking a bound key need server state, which sealed cookies do not have (see docs/device-bound-sessions.md, \"Sealed mode\")",
    );
  }
  if (context.transport !== 'cookie') throw configError('dbsc binds cookies: it cannot be used with the header transport');
  const algorithms = input.algorithms ?? ['ES256', 'RS256'];
  if (!Array.isArray(algorithms) || algorithms.length === 0 || algorithms.some((alg) => alg !== 'ES256' && alg !== 'RS256') || new Set(algorithms).size !== algorithms.length) {
    throw configError(`dbsc.algorithms must list ES256 and/or RS256 once each ('none' binds no key); got ${JSON.stringify(algorithms)}`);
  }
  const session = resolveCookieOptions(context.cookie);
  if (session.partitioned) throw configError('dbsc cannot bind a Partitioned cookie (the DBSC spec forbids it): turn cookie.partitioned off');
  const hostOnly = session.secure && session.domain === undefined && session.path === '/';
  const name = input.cookieName ?? (hostOnly ? '__Host-sid-bound' : 'sid-bound');
  const cookie = resolveCookieOptions({ ...context.cookie, name });
  if (cookie.name === session.name) throw configError('dbsc.cookieName must differ from the session cookie name');
  const registrationPath = path('registrationPath', input.registrationPath ?? '/dbsc/register');
  const refreshPath = path('refreshPath', input.refreshPath ?? '/dbsc/refresh');
  if (registrationPath === refreshPath) throw configError('dbsc.registrationPath and dbsc.refreshPath must differ');
  const scope = (input.scope ?? []).map((rule, index) => {
    if (typeof rule !== 'object' || rule === null || (rule.type !== 'include' && rule.type !== 'exclude')) throw configError(`dbsc.scope[${index}].type must be 'include' or 'exclude'`);
    if (rule.path !== undefined) path(`scope[${index}].path`, rule.path);
    if (rule.domain !== undefined && !/^(\*\.)?[A-Za-z0-9.-]+$|^\*$/.test(rule.domain)) throw configError(`dbsc.scope[${index}].domain is not a host pattern`);
    // Hosts compare as URLs serialize them: in lower case.
    return Object.freeze(rule.domain === undefined ? { ...rule } : { ...rule, domain: rule.domain.toLowerCase() });
  });
  // The attributes exactly as the Set-Cookie writes them, lifetime left out.
  const attributes = serializeSetCookie(cookie, '', undefined, 0).slice(cookie.name.length + 3);
  return Object.freeze({
    registrationPath,
    refreshPath,
    algorithms: Object.freeze([...algorithms]),
    boundLifetimeMs: seconds('boundLifetime', input.boundLifetime ?? 600, 300, 86_400),
    challengeLifetimeMs: seconds('challengeLifetime', input.challengeLifetime ?? 120, 10, 600),
    cookie,
    attributes,
    scope: Object.freeze(scope),
  });
}
