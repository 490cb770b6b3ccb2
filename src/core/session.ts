import { clearSiteDataOf } from './clear-site-data.js';
import type { ClearSiteDataType, DestroyOptions } from './clear-site-data.js';
import { SessionError } from './errors.js';
import { generateSessionId } from './crypto/random.js';
import { expiryOf } from './policy.js';
import type { ExpiryRules } from './policy.js';
import type { Clock } from './clock.js';
import type { ClientInfo, DefaultSessionData, SessionStatus } from './types.js';

type Data = Record<string, unknown>;
type Updater = (value: unknown) => unknown;

/** What the session was loaded as (or last committed as): the baseline for change detection and compare-and-set. */
export interface Baseline {
  readonly id: string;
  /** The stored record or sealed payload, as encoded. */
  readonly text: string;
  readonly persistent: boolean;
}

/** The facts of one session: its ID, data, times, status, persistence and what changed. */
export interface SessionFacts {
  id: string;
  data: Data;
  createdAt: number;
  lastSeenAt: number;
  persistent: boolean;
  status: SessionStatus;
  /** `touch()` was called: refresh the expiry and cookie even when nothing else changed. */
  touched: boolean;
  /** An object value was handed out (get/toJSON), so it may be changed in place: compare encodings at commit. */
  exposed: boolean;
  /** Functions given to `update()`, per key, re-run on a fresh record when a commit conflicts. */
  updaters: Map<string, Updater[]> | undefined;
  client: ClientInfo | undefined;
  baseline: Baseline | undefined;
  /** The cookie left with the response headers: the ID can no longer change. */
  cookieLocked: boolean;
  /** DBSC: the session is bound to a device key, and this request proved it with a fresh bound cookie. */
  bound: boolean;
  /** `destroy({ clearSiteData })`: the kinds the commit's response names in `Clear-Site-Data`. */
  clearSiteData: readonly ClearSiteDataType[] | undefined;
  readonly rules: ExpiryRules & { readonly clock: Clock };
}

/**
 * Facts for a session that has never been stored (or, given `data`, as loaded). Without `id` it has none yet (`''`): the ID is
 * drawn when the session first needs one (it changes, or its `id` is read), so an anonymous
 * request that never writes costs no random bytes.
 */
export function blankFacts(rules: SessionFacts['rules'], now: number, persistent: boolean, client: ClientInfo | undefined, id = '', data = Object.create(null) as Data, lastSeenAt = now): SessionFacts {
  return {
    id,
    data,
    createdAt: now,
    lastSeenAt,
    persistent,
    status: 'unchanged',
    touched: false,
    exposed: false,
    updaters: undefined,
    client,
    baseline: undefined,
    cookieLocked: false,
    bound: false,
    clearSiteData: undefined,
    rules,
  };
}

/** After a commit: `baseline` is what was written (undefined: nothing lives any more). */
export function settleFacts(f: SessionFacts, baseline: Baseline | undefined, lastSeenAt: number): void {
  if (baseline === undefined && f.status === 'destroyed') {
    f.id = '';
    f.data = Object.create(null) as Data;
  }
  f.baseline = baseline;
  f.status = 'unchanged';
  f.touched = false;
  f.updaters = undefined;
  if (baseline !== undefined) f.lastSeenAt = lastSeenAt;
}

let carriedBy: (session: Session<object>) => unknown;

/**
 * One visitor's session: typed, Map-like, synchronous. It does no I/O; the manager commits it.
 * Type the data with a generic or by augmenting `SessionData`.
 */
export class Session<T extends object = DefaultSessionData> {
  readonly #f: SessionFacts;
  readonly #carried: unknown;

  static {
    carriedBy = (session) => session.#carried;
  }

  /** @internal Sessions are made by a SessionManager. */
  constructor(facts: SessionFacts, carried: unknown) {
    this.#f = facts;
    this.#carried = carried;
  }

  /** The session ID. It changes on `regenerate()`. Never log it. */
  get id(): string { return this.#f.id || (this.#f.id = generateSessionId()); }

  /** True until the session has been stored under its current ID. */
  get isNew(): boolean { return this.#f.baseline?.id !== this.#f.id; }

  /** What explicit calls did to the session during this request. */
  get status(): SessionStatus { return this.#f.status; }

  /** When the session began (epoch ms). */
  get createdAt(): number { return this.#f.createdAt; }

  /** The last activity that was recorded (epoch ms). */
  get lastSeenAt(): number { return this.#f.lastSeenAt; }

  /** When the session ends unless used again: the earlier of the absolute and the idle deadline (epoch ms). */
  get expiresAt(): number { return expiryOf(this.#f.rules, this.#f); }

  /**
   * DBSC (the `dbsc` option): true when the session is bound to a key the browser keeps on this
   * device and the request came with a fresh bound cookie. Gate sensitive actions on it; false for
   * browsers without DBSC, and after `regenerate()` (a new session is bound anew).
   */
  get bound(): boolean { return this.#f.bound && this.#f.baseline?.id === this.#f.id; }

  /** Remember-me: whether the cookie outlives the browser session. */
  get persistent(): boolean { return this.#f.persistent; }

  /** The value under `key`, or undefined. An object read this way counts as possibly changed in place, so the commit compares it. */
  get<K extends keyof T & string>(key: K): T[K] | undefined {
    const data = this.#f.data;
    if (!Object.hasOwn(data, key)) return undefined;
    const value = data[key];
    if (typeof value === 'object' && value !== null) this.#f.exposed = true;
    return value as T[K];
  }

  /** Sets `key` to `value` (JSON data); `undefined` deletes the key. */
  set<K extends keyof T & string>(key: K, value: T[K]): void {
    if (value === undefined) {
      this.delete(key);
      return;
    }
    this.#write();
    this.#f.updaters?.delete(key);
    this.#f.data[key] = value;
  }

  /** Whether the session holds `key`. */
  has(key: keyof T & string): boolean {
    return Object.hasOwn(this.#f.data, key);
  }

  /** Removes `key`. */
  delete(key: keyof T & string): void {
    if (!Object.hasOwn(this.#f.data, key)) return;
    this.#write();
    this.#f.updaters?.delete(key);
    delete this.#f.data[key];
  }

  /** Reads a value and removes it (flash messages). */
  take<K extends keyof T & string>(key: K): T[K] | undefined {
    const value = this.get(key);
    this.delete(key);
    return value;
  }

  /**
   * Sets `key` to `fn(current)`. If another request changed the session meanwhile, the commit
   * re-runs `fn` on the fresh value, so counters and lists lose nothing.
   */
  update<K extends keyof T & string>(key: K, fn: (current: T[K] | undefined) => T[K]): T[K] {
    const value = fn(this.get(key));
    this.#write();
    const f = this.#f;
    const updaters = (f.updaters ??= new Map());
    const list = updaters.get(key) ?? [];
    list.push(fn as Updater);
    updaters.set(key, list);
    if (value === undefined) delete f.data[key];
    else f.data[key] = value;
    return value;
  }

  /** Removes all data; the ID stays. */
  clear(): void {
    for (const key of Object.keys(this.#f.data)) this.delete(key as keyof T & string);
  }

  /** The data's keys. */
  keys(): string[] {
    return Object.keys(this.#f.data);
  }

  /**
   * A new ID now, with the data kept; the old record is deleted at commit. Call it at login and
   * at every privilege change: it defeats session fixation. The new ID starts a new absolute
   * lifetime (`createdAt` is now), so an anonymous visit before the login does not shorten it.
   */
  regenerate(): void;
  regenerate(...callback: unknown[]): void {
    refuseCallback('regenerate', callback);
    const f = this.#f;
    this.#assertCookieOpen('regenerate');
    f.id = generateSessionId();
    f.createdAt = f.rules.clock.now();
    f.status = 'regenerated';
  }

  /**
   * Ends the session: the record is deleted and the cookie cleared at commit. Setting data
   * afterwards starts a new session. `{ clearSiteData: true }` also has the browser drop what it
   * kept for the site (`Clear-Site-Data`, see `DestroyOptions`).
   */
  destroy(options?: DestroyOptions): void;
  destroy(...args: unknown[]): void {
    refuseCallback('destroy', args.length === 1 && typeof args[0] !== 'function' ? [] : args);
    const f = this.#f;
    this.#assertCookieOpen('destroy');
    f.clearSiteData = clearSiteDataOf(args[0] as DestroyOptions | undefined) ?? f.clearSiteData;
    f.status = 'destroyed';
    f.data = Object.create(null) as Data;
    f.updaters = undefined;
    f.persistent = false;
  }

  /** Records activity now: the idle deadline moves and the cookie is refreshed at commit. */
  touch(): void {
    const f = this.#f;
    f.touched = true;
    if (f.status === 'unchanged') this.#write();
  }

  /** Remember-me: a persistent cookie (Max-Age) or a browser-session cookie. */
  setPersistent(persistent: boolean): void {
    if (this.#f.persistent === persistent) return;
    this.#write();
    this.#f.persistent = persistent;
  }

  /** A copy of the data. */
  toJSON(): Partial<T> {
    this.#f.exposed = true;
    return { ...this.#f.data } as Partial<T>;
  }

  #write(): void {
    const f = this.#f;
    if (f.status === 'destroyed') {
      // Data after logout (a flash message, say) starts a brand-new session under a new ID.
      this.#assertCookieOpen('start a new session after destroy');
      f.id = generateSessionId();
      f.createdAt = f.rules.clock.now();
      f.lastSeenAt = f.createdAt;
      f.status = 'regenerated';
    } else if (f.status === 'unchanged') {
      f.status = 'modified';
      if (f.id === '') f.id = generateSessionId();
    }
  }

  #assertCookieOpen(action: string): void {
    if (this.#f.cookieLocked) {
      throw new SessionError('ERR_SESSION_HEADERS_SENT', `cannot ${action}: the response headers, and so the session cookie, were already sent; call it before writing the response or await saveSession() first`);
    }
  }
}

/** express-session's callback forms (passport calls them) would wait forever on a synchronous method: refuse them. */
function refuseCallback(method: string, args: unknown[]): void {
  if (args.length === 0) return;
  throw new SessionError(
    'ERR_SESSION_UNSUPPORTED',
    `${method}() takes no callback: the session is synchronous and commits when the response ends. Code written for express-session's req.session (passport's login and logout among it) needs tessera-session/express-session; see docs/migrating-from-express-session.md`,
  );
}

/** @internal What the manager attached to a session at load (its per-request state). */
export function carriedOf(session: Session<object>): unknown {
  return carriedBy(session);
}
