import { SessionError } from './errors.js';
import { generateSessionId } from './crypto/random.js';
import type { ClientInfo, DefaultSessionData, SessionStatus } from './types.js';

type Data = Record<string, unknown>;
type Updater = (value: unknown) => unknown;

/** The state a manager keeps for one session. Internal: reached through `sessionState()`. */
export interface SessionState {
  id: string;
  /** The ID the request arrived with (undefined for a new session); its record is deleted on regenerate/destroy. */
  loadedId: string | undefined;
  /** The store value or sealed payload as loaded; the baseline for change detection and compare-and-set. */
  loadedText: string | undefined;
  data: Data;
  createdAt: number;
  lastSeenAt: number;
  persistent: boolean;
  status: SessionStatus;
  /** `touch()` was called: refresh the expiry and cookie even when nothing else changed. */
  touched: boolean;
  /** An object value was handed out (get/toJSON), so it may be changed in place: compare encodings at commit. */
  exposed?: boolean;
  /** Functions given to `update()`, per key, re-run on a fresh record when a commit conflicts. */
  updaters: Map<string, Updater[]>;
  client: ClientInfo | undefined;
  lifetimeMs: number;
  idleMs: number;
  now: () => number;
  /** Set once the response headers left: changes that need a new cookie are errors from then on. */
  cookieSent: boolean;
  /** The ID the client holds a cookie for once headers left (undefined: none). */
  sentId: string | undefined;
  /** A session cookie came in but was not used (forged, unknown, expired): clear it unless a new one is set. */
  clearCookie: boolean;
  /** The cookie verified under an older key: re-issue it with the current one. */
  reissue: boolean;
  /** A record seen expired or corrupt at load, deleted at commit. */
  purgeKey: string | undefined;
  /** Store mode: remember-me as the loaded (or last written) record has it; a change needs a new cookie. */
  loadedPersistent?: boolean;
  /** Store mode: the last ID hashed to a store key, and its key (a write needs it up to three times). */
  keyMemo?: [id: string, key: string];
  /** Store mode, renewal: the key the record really lives under when it was reached through the old ID's forward. */
  storeKey?: string | undefined;
  /** Store mode, renewal: when the current ID was issued. */
  idIssuedAt?: number | undefined;
  /** Store mode, renewal: the ID is due for rotation at this commit. */
  renewDue?: boolean;
  /** Store mode, renewal: the ID being renewed at this commit. */
  renewFrom?: string | undefined;
}

let stateOf: (session: Session<object>) => SessionState;

/**
 * One visitor's session: typed, Map-like, synchronous. It does no I/O; the manager commits it.
 * Type the data with a generic or by augmenting `SessionData`.
 */
export class Session<T extends object = DefaultSessionData> {
  #state: SessionState;

  static {
    stateOf = (session) => session.#state;
  }

  /** @internal Sessions are made by a SessionManager. */
  constructor(state: SessionState) {
    this.#state = state;
  }

  /** The session ID. It changes on `regenerate()`. Never log it. */
  get id(): string {
    const s = this.#state;
    if (s.id === '') s.id = generateSessionId();
    return s.id;
  }

  /** True until the session has been stored once. */
  get isNew(): boolean {
    return this.#state.loadedId === undefined || this.#state.loadedId !== this.#state.id;
  }

  /** What explicit calls did to the session during this request. */
  get status(): SessionStatus {
    return this.#state.status;
  }

  /** When the session began (epoch ms). */
  get createdAt(): number {
    return this.#state.createdAt;
  }

  /** The last activity that was recorded (epoch ms). */
  get lastSeenAt(): number {
    return this.#state.lastSeenAt;
  }

  /** When the session ends unless used again: the earlier of the absolute and the idle deadline (epoch ms). */
  get expiresAt(): number {
    const s = this.#state;
    return Math.min(s.createdAt + s.lifetimeMs, s.lastSeenAt + s.idleMs);
  }

  /** Remember-me: whether the cookie outlives the browser session. */
  get persistent(): boolean {
    return this.#state.persistent;
  }

  get<K extends keyof T & string>(key: K): T[K] | undefined {
    const data = this.#state.data;
    if (!Object.hasOwn(data, key)) return undefined;
    const value = data[key];
    if (typeof value === 'object' && value !== null) this.#state.exposed = true;
    return value as T[K];
  }

  set<K extends keyof T & string>(key: K, value: T[K]): void {
    if (value === undefined) {
      this.delete(key);
      return;
    }
    this.#write();
    this.#state.updaters.delete(key);
    this.#state.data[key] = value;
  }

  has(key: keyof T & string): boolean {
    return Object.hasOwn(this.#state.data, key);
  }

  delete(key: keyof T & string): void {
    if (!Object.hasOwn(this.#state.data, key)) return;
    this.#write();
    this.#state.updaters.delete(key);
    delete this.#state.data[key];
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
    const s = this.#state;
    const list = s.updaters.get(key) ?? [];
    list.push(fn as Updater);
    s.updaters.set(key, list);
    if (value === undefined) delete s.data[key];
    else s.data[key] = value;
    return value;
  }

  /** Removes all data; the ID stays. */
  clear(): void {
    const s = this.#state;
    for (const key of Object.keys(s.data)) this.delete(key as keyof T & string);
  }

  /** The data's keys. */
  keys(): string[] {
    return Object.keys(this.#state.data);
  }

  /**
   * A new ID now, with the data kept; the old record is deleted at commit. Call it at login and
   * at every privilege change: it defeats session fixation.
   */
  regenerate(): void {
    const s = this.#state;
    this.#assertCookieOpen('regenerate');
    s.id = generateSessionId();
    if (s.status === 'destroyed') s.createdAt = s.now();
    s.status = 'regenerated';
  }

  /** Ends the session: the record is deleted and the cookie cleared at commit. Setting data afterwards starts a new session. */
  destroy(): void {
    const s = this.#state;
    this.#assertCookieOpen('destroy');
    s.status = 'destroyed';
    s.data = Object.create(null) as Data;
    s.updaters.clear();
    s.persistent = false;
  }

  /** Records activity now: the idle deadline moves and the cookie is refreshed at commit. */
  touch(): void {
    const s = this.#state;
    s.touched = true;
    if (s.status === 'unchanged') s.status = 'modified';
  }

  /** Remember-me: a persistent cookie (Max-Age) or a browser-session cookie. */
  setPersistent(persistent: boolean): void {
    const s = this.#state;
    if (s.persistent === persistent) return;
    this.#write();
    s.persistent = persistent;
  }

  /** A copy of the data. */
  toJSON(): Partial<T> {
    this.#state.exposed = true;
    return { ...this.#state.data } as Partial<T>;
  }

  #write(): void {
    const s = this.#state;
    if (s.status === 'destroyed') {
      // Data after logout (a flash message, say) starts a brand-new session under a new ID.
      this.#assertCookieOpen('start a new session after destroy');
      s.id = generateSessionId();
      s.createdAt = s.now();
      s.lastSeenAt = s.createdAt;
      s.status = 'regenerated';
    } else if (s.status === 'unchanged') {
      s.status = 'modified';
    }
  }

  #assertCookieOpen(action: string): void {
    if (this.#state.cookieSent) {
      throw new SessionError('ERR_SESSION_HEADERS_SENT', `cannot ${action}: the response headers, and so the session cookie, were already sent; call it before writing the response or await saveSession() first`);
    }
  }
}

/** @internal The manager's view of a session. */
export function sessionState(session: Session<object>): SessionState {
  return stateOf(session);
}

/** @internal Creates a session around manager-built state. */
export function createSession<T extends object>(state: SessionState): Session<T> {
  return new Session<T>(state);
}
