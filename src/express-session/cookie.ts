// `req.session.cookie`: the session cookie's settings, with express-session's semantics.
// `maxAge` reads as the milliseconds left and writes `expires`; `originalMaxAge` keeps the
// lifetime it was given; `data` is what the Set-Cookie header is built from.
import { deprecate } from './deprecate.js';
import { serializeCookie } from './cookie-serialize.js';

/** Options of the session cookie (the `cookie` option, or what a store gives back). */
export interface CookieOptions {
  maxAge?: number | Date | null | undefined;
  /** Prefer `maxAge`; of the two, the one set last wins. */
  expires?: Date | string | null | undefined;
  originalMaxAge?: number | null | undefined;
  path?: string | undefined;
  domain?: string | undefined;
  httpOnly?: boolean | undefined;
  /** `'auto'`: Secure exactly when the request is secure. */
  secure?: boolean | 'auto' | undefined;
  /** `'auto'`: `None` on secure requests, `Lax` otherwise. */
  sameSite?: boolean | 'lax' | 'strict' | 'none' | 'auto' | string | undefined;
  partitioned?: boolean | undefined;
  priority?: 'low' | 'medium' | 'high' | string | undefined;
  [key: string]: unknown;
}

/** The attributes the cookie is serialised with, and what is stored as `session.cookie`. */
export interface CookieData {
  originalMaxAge: number | null;
  partitioned: boolean | undefined;
  priority: string | undefined;
  expires: Date | null;
  secure: boolean | 'auto' | undefined;
  httpOnly: boolean;
  domain: string | undefined;
  path: string;
  sameSite: boolean | string | undefined;
}

export class Cookie {
  path!: string;
  httpOnly!: boolean;
  originalMaxAge!: number | null;
  declare domain: string | undefined;
  declare secure: boolean | 'auto' | undefined;
  declare sameSite: boolean | string | undefined;
  declare partitioned: boolean | undefined;
  declare priority: string | undefined;
  declare _expires: Date | null;
  [key: string]: unknown;

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

  set expires(date: Date | null) {
    this._expires = date;
    this.originalMaxAge = this.maxAge;
  }

  get expires(): Date | null {
    return this._expires;
  }

  /** Milliseconds until `expires` (negative once past), or null for a browser-session cookie. */
  set maxAge(ms: number | Date | null) {
    if (ms && typeof ms !== 'number' && !(ms instanceof Date)) {
      throw new TypeError('maxAge must be a number or Date');
    }
    if (ms instanceof Date) deprecate('maxAge as Date; pass number of milliseconds instead', 'TESSERA_ES_MAXAGE_DATE');
    this.expires = typeof ms === 'number' ? new Date(Date.now() + ms) : ms;
  }

  get maxAge(): number | null {
    const expires = this._expires as unknown;
    return expires instanceof Date ? expires.valueOf() - Date.now() : (expires as number | null);
  }

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

  toJSON(): CookieData {
    return this.data;
  }
}
