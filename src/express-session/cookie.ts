// `req.session.cookie`: the session cookie's settings, with express-session's semantics.
// `maxAge` reads as the milliseconds left and writes `expires`; `originalMaxAge` keeps the
// lifetime it was given; `data` is what the Set-Cookie header is built from.
import { deprecate } from './deprecate.js';
import { serializeCookie } from './cookie-serialize.js';

/** Options of the session cookie (the `cookie` option, or what a store gives back). */
export interface CookieOptions {
  /**
   * Lifetime in milliseconds: `expires` is now plus this when the session is created, and is reset
   * on each request that has the session (the browser gets the new date only when the cookie is
   * sent again, see `rolling`). Default `null`: a browser-session cookie, with no `Expires`. A
   * `Date` is accepted but deprecated; another type throws a TypeError.
   */
  maxAge?: number | Date | null | undefined;
  /** Prefer `maxAge`; of the two, the one set last wins. */
  expires?: Date | string | null | undefined;
  /** The lifetime the cookie was given, in milliseconds; leave it unset (it defaults to `maxAge`). Stores' records carry it. */
  originalMaxAge?: number | null | undefined;
  /**
   * `Path` attribute. Default `'/'`. It also gates the middleware: a request whose path does not
   * start with it gets no session at all.
   */
  path?: string | undefined;
  /** `Domain` attribute. Default unset: a host-only cookie. */
  domain?: string | undefined;
  /** `HttpOnly` attribute. Default `true`. */
  httpOnly?: boolean | undefined;
  /**
   * `Secure` attribute. Default unset. With `true` the cookie is not sent at all in answer to an
   * insecure request (see the `proxy` option). `'auto'`: Secure exactly when the request is secure.
   */
  secure?: boolean | 'auto' | undefined;
  /**
   * `SameSite` attribute: `true` or `'strict'`, `'lax'`, `'none'` (any letter case); `false` or
   * unset (the default) omits it. `'auto'`: `None` on secure requests, `Lax` otherwise.
   */
  sameSite?: boolean | 'lax' | 'strict' | 'none' | 'auto' | string | undefined;
  /** `Partitioned` attribute (CHIPS). Default unset. */
  partitioned?: boolean | undefined;
  /** `Priority` attribute: `'low'`, `'medium'` or `'high'` (any letter case). Default unset. */
  priority?: 'low' | 'medium' | 'high' | string | undefined;
  [key: string]: unknown;
}

/** The attributes the cookie is serialised with, and what is stored as `session.cookie`. */
export interface CookieData {
  /** The lifetime the cookie was given, in milliseconds; null for a browser-session cookie. */
  originalMaxAge: number | null;
  /** `Partitioned` attribute. */
  partitioned: boolean | undefined;
  /** `Priority` attribute. */
  priority: string | undefined;
  /** When the cookie expires; null for a browser-session cookie. A store's record has it as a date string. */
  expires: Date | null;
  /** `Secure` attribute. */
  secure: boolean | 'auto' | undefined;
  /** `HttpOnly` attribute. */
  httpOnly: boolean;
  /** `Domain` attribute. */
  domain: string | undefined;
  /** `Path` attribute. */
  path: string;
  /** `SameSite` attribute (`true` is `Strict`). */
  sameSite: boolean | string | undefined;
}

/**
 * `req.session.cookie` (`session.Cookie`): the session cookie's settings, as express-session's
 * Cookie. `maxAge` reads as the milliseconds left and writes `expires`; `originalMaxAge` keeps the
 * lifetime it was given, which `req.session.touch()` starts again. Changing it alone does not
 * count as modifying the session. Its JSON (`toJSON`) is what stores keep under `cookie`.
 */
export class Cookie {
  /** `Path` attribute. Default `'/'`. */
  path!: string;
  /** `HttpOnly` attribute. Default `true`. */
  httpOnly!: boolean;
  /**
   * The lifetime the cookie was given, in milliseconds (null for a browser-session cookie):
   * `maxAge` when it was created, updated whenever `maxAge` or `expires` is set.
   */
  originalMaxAge!: number | null;
  /** `Domain` attribute. Default unset (a host-only cookie). */
  declare domain: string | undefined;
  /** `Secure` attribute (the option's `'auto'` becomes `true` or `false` when the session is created). */
  declare secure: boolean | 'auto' | undefined;
  /** `SameSite` attribute, `true` meaning `Strict` (the option's `'auto'` becomes `'none'` or `'lax'` when the session is created). */
  declare sameSite: boolean | string | undefined;
  /** `Partitioned` attribute. */
  declare partitioned: boolean | undefined;
  /** `Priority` attribute. */
  declare priority: string | undefined;
  /** Where `expires` is kept, as in express-session; read and write `expires` or `maxAge` instead. */
  declare _expires: Date | null;
  [key: string]: unknown;

  /**
   * Defaults `path: '/'`, `httpOnly: true` and no expiry, then copies every option but `data`;
   * `originalMaxAge` defaults to the resulting `maxAge`. Options that are not an object throw a
   * TypeError (`argument options must be a object`).
   */
  constructor(options?: CookieOptions | null) {
    this.path = '/';
    this.maxAge = null;
    this.httpOnly = true;
    if (options !== undefined && options !== null) {
      if (typeof options !== 'object') throw new TypeError('argument options must be a object');
      for (const key in options) {
        if (key !== 'data') this[key] = options[key];
      }
    }
    if (this.originalMaxAge === undefined || this.originalMaxAge === null) this.originalMaxAge = this.maxAge;
  }

  /** Sets the expiry date (null: a browser-session cookie) and makes `originalMaxAge` the time until it. Prefer `maxAge`. */
  set expires(date: Date | null) {
    this._expires = date;
    this.originalMaxAge = this.maxAge;
  }

  /** When the cookie expires, or null for a browser-session cookie. */
  get expires(): Date | null {
    return this._expires;
  }

  /**
   * Sets `expires` to now plus this many milliseconds (null: a browser-session cookie), and
   * `originalMaxAge` with it. A `Date` sets `expires` to it, with a deprecation warning; another
   * type throws a TypeError (`maxAge must be a number or Date`).
   */
  set maxAge(ms: number | Date | null) {
    if (ms && typeof ms !== 'number' && !(ms instanceof Date)) {
      throw new TypeError('maxAge must be a number or Date');
    }
    if (ms instanceof Date) deprecate('maxAge as Date; pass number of milliseconds instead', 'TESSERA_ES_MAXAGE_DATE');
    this.expires = typeof ms === 'number' ? new Date(Date.now() + ms) : ms;
  }

  /** Milliseconds until `expires` (negative once past), or null for a browser-session cookie. */
  get maxAge(): number | null {
    const expires = this._expires as unknown;
    return expires instanceof Date ? expires.valueOf() - Date.now() : (expires as number | null);
  }

  /** The attributes as a plain object: what the Set-Cookie header is built from. */
  get data(): CookieData {
    return {
      originalMaxAge: this.originalMaxAge,
      partitioned: this.partitioned,
      priority: this.priority,
      expires: this._expires,
      secure: this.secure,
      httpOnly: this.httpOnly,
      domain: this.domain,
      path: this.path,
      sameSite: this.sameSite,
    };
  }

  /** A Set-Cookie header value for `name=value` with this cookie's attributes. */
  serialize(name: string, value: string): string {
    return serializeCookie(name, value, this.data);
  }

  /** `data`: what `JSON.stringify(req.session)` stores under `cookie`. */
  toJSON(): CookieData {
    return this.data;
  }
}
