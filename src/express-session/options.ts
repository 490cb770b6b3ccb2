// The options of session(options): express-session 1.19's, with its defaults, validation
// messages and deprecation warnings, plus tessera's opt-in fixes. Resolved once per middleware.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { SessionStore } from '../index.js';
import type { CookieOptions } from './cookie.js';
import { deprecate } from './deprecate.js';
import { MemoryStore } from './memory-store.js';
import type { SessionRequest, Store, StoreMethods } from './session.js';
import type { SecretKey } from './signature.js';
import { TesseraStore, isTesseraStore } from './tessera-store.js';
import { adoptStore } from './foreign-store.js';

/** The options of express-session 1.19, plus tessera's opt-in fixes. */
export interface SessionOptions {
  /** Signs the cookie; an array rotates secrets (the first signs, all verify). Required. */
  secret?: SecretKey | SecretKey[] | undefined;
  /** Session cookie settings, or a function of the request returning them. */
  cookie?: CookieOptions | ((req: SessionRequest) => CookieOptions) | undefined;
  /** New session IDs. Default: 24 random bytes as base64url (32 characters). */
  genid?: ((req: SessionRequest) => string) | undefined;
  /** Cookie name. Default `connect.sid`. */
  name?: string | undefined;
  /** Old alias of `name`. */
  key?: string | undefined;
  /** `true`: trust `X-Forwarded-Proto`; `false`: only TLS sockets are secure; unset: Express's `req.secure`. */
  proxy?: boolean | undefined;
  /** Save unmodified sessions too. Default true, with a deprecation warning when not given. */
  resave?: boolean | undefined;
  /** Send the cookie on every response, resetting its expiry. Default false. */
  rolling?: boolean | undefined;
  /** Save and send a cookie for new, unmodified sessions. Default true, with a deprecation warning when not given. */
  saveUninitialized?: boolean | undefined;
  /**
   * An express-session store (connect-redis, connect-pg-simple, ...: any object with their
   * callback `get`, `set` and `destroy`), or a tessera SessionStore. Default a bounded MemoryStore.
   */
  store?: Store | StoreMethods | SessionStore | undefined;
  /** What happens when `req.session` is deleted or nulled: `'keep'` (default) or `'destroy'`. */
  unset?: 'destroy' | 'keep' | undefined;
  /** tessera: `req.session.destroy()` also expires the cookie in the browser. Default false (v1 keeps it). */
  destroyClearsCookie?: boolean | undefined;
  /** tessera: `req.session.regenerate()` carries the data over to the new ID. Default false (v1 drops it). */
  regenerateKeepsData?: boolean | undefined;
}

/** Connect's and Express's `next`: called with nothing to go on, or with an error for the error handlers. */
export type NextFunction = (error?: unknown) => void;
/** Typed on IncomingMessage so that Express's `app.use()` accepts it whatever `req.session` is declared as. */
export type SessionMiddleware = (req: IncomingMessage, res: ServerResponse, next: NextFunction) => void;

/** What one middleware runs with: the options with their defaults applied. */
export interface Settings {
  /** The cookie options for this request (the `cookie` option, called when it is a function). */
  cookie(req: SessionRequest): CookieOptions;
  genid(req: SessionRequest): string;
  name: string;
  proxy: boolean | undefined;
  rolling: boolean;
  resave: boolean;
  saveUninitialized: boolean;
  unsetDestroy: boolean;
  destroyClearsCookie: boolean;
  regenerateKeepsData: boolean;
  /** Undefined: cookie-parser's `req.secret` is used per request (deprecated). */
  secrets: SecretKey[] | undefined;
  store: Store;
}

function defaultGenid(): string {
  return randomBytes(24).toString('base64url');
}

function validate(options: SessionOptions): void {
  if (options.genid !== undefined && typeof options.genid !== 'function') throw new TypeError('genid option must be a function');
  if (options.unset && options.unset !== 'destroy' && options.unset !== 'keep') throw new TypeError('unset option must be "destroy" or "keep"');
  if (Array.isArray(options.secret) && options.secret.length === 0) throw new TypeError('secret option array must contain one or more strings');
}

/** Validates `options` and applies express-session's defaults, warning where it warns. */
export function resolveOptions(options: SessionOptions): Settings {
  validate(options);
  const cookieOption = options.cookie ?? {};
  let resave = options.resave;
  if (resave === undefined) {
    deprecate('undefined resave option; provide resave option', 'TESSERA_ES_RESAVE');
    resave = true;
  }
  let saveUninitialized = options.saveUninitialized;
  if (saveUninitialized === undefined) {
    deprecate('undefined saveUninitialized option; provide saveUninitialized option', 'TESSERA_ES_SAVE_UNINITIALIZED');
    saveUninitialized = true;
  }
  const secret = options.secret;
  const secrets = secret === undefined || secret === null || (secret as unknown) === '' ? undefined : Array.isArray(secret) ? secret : [secret];
  if (secrets === undefined) deprecate('req.secret; provide secret option', 'TESSERA_ES_REQ_SECRET');

  const given = options.store;
  const store: Store = given === undefined ? new MemoryStore() : isTesseraStore(given) ? new TesseraStore(given) : adoptStore(given as StoreMethods);
  if (process.env.NODE_ENV === 'production' && store instanceof MemoryStore) {
    console.warn('Warning: the express-session MemoryStore keeps sessions in this process only: they are lost on restart and not shared between processes. Use a real store in production.');
  }
  return {
    cookie: (req) => (typeof cookieOption === 'function' ? cookieOption(req) : cookieOption) ?? {},
    genid: options.genid ?? defaultGenid,
    name: options.name || options.key || 'connect.sid',
    proxy: options.proxy,
    rolling: Boolean(options.rolling),
    resave,
    saveUninitialized,
    unsetDestroy: options.unset === 'destroy',
    destroyClearsCookie: options.destroyClearsCookie === true,
    regenerateKeepsData: options.regenerateKeepsData === true,
    secrets,
    store,
  };
}
