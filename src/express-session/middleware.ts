// The session(options) middleware factory: express-session 1.x's request lifecycle, options and
// defaults, without its Node internals or its split of the body's last byte.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SessionStore } from '../core/index.js';
import { contexts } from './context.js';
import type { RequestContext } from './context.js';
import { Cookie } from './cookie.js';
import type { CookieOptions } from './cookie.js';
import { serializeCookie } from './cookie-serialize.js';
import { deprecate } from './deprecate.js';
import { MemoryStore } from './memory-store.js';
import { isSecure, originalPathname, sessionIdFromRequest } from './request.js';
import { Session } from './session.js';
import type { SessionRequest } from './session.js';
import { sign } from './signature.js';
import type { SecretKey } from './signature.js';
import type { Callback, SessionData, Store } from './store.js';
import { TesseraStore, isTesseraStore } from './tessera-store.js';

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
  /** An express-session store, or a tessera SessionStore. Default a bounded MemoryStore. */
  store?: Store | SessionStore | undefined;
  /** What happens when `req.session` is deleted or nulled: `'keep'` (default) or `'destroy'`. */
  unset?: 'destroy' | 'keep' | undefined;
  /** tessera: `req.session.destroy()` also expires the cookie in the browser. Default false (v1 keeps it). */
  destroyClearsCookie?: boolean | undefined;
  /** tessera: `req.session.regenerate()` carries the data over to the new ID. Default false (v1 drops it). */
  regenerateKeepsData?: boolean | undefined;
}

export type NextFunction = (error?: unknown) => void;
/** Typed on IncomingMessage so that Express's `app.use()` accepts it whatever `req.session` is declared as. */
export type SessionMiddleware = (req: IncomingMessage, res: ServerResponse, next: NextFunction) => void;

function defaultGenid(): string {
  return randomBytes(24).toString('base64url');
}

/** A fingerprint of the session data without its top-level `cookie`. */
function fingerprint(session: object): string {
  const json = JSON.stringify(session, function replacer(this: unknown, key: string, value: unknown) {
    return this === session && key === 'cookie' ? undefined : value;
  });
  return createHash('sha1').update(json, 'utf8').digest('hex');
}

function validate(options: SessionOptions): void {
  if (options.genid !== undefined && typeof options.genid !== 'function') throw new TypeError('genid option must be a function');
  if (options.unset && options.unset !== 'destroy' && options.unset !== 'keep') throw new TypeError('unset option must be "destroy" or "keep"');
  if (Array.isArray(options.secret) && options.secret.length === 0) throw new TypeError('secret option array must contain one or more strings');
}

/** Creates the session middleware. Same options, defaults and behaviour as express-session 1.19. */
export function session(options: SessionOptions = {}): SessionMiddleware {
  validate(options);
  const cookieOption = options.cookie ?? {};
  const genid = options.genid ?? defaultGenid;
  const name = options.name || options.key || 'connect.sid';
  const proxy = options.proxy;
  const rolling = Boolean(options.rolling);
  const unsetDestroy = options.unset === 'destroy';
  const destroyClearsCookie = options.destroyClearsCookie === true;
  const regenerateKeepsData = options.regenerateKeepsData === true;
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
  const secret: SecretKey[] | undefined = options.secret === undefined || options.secret === null || (options.secret as unknown) === '' ? undefined : Array.isArray(options.secret) ? options.secret : [options.secret];
  if (secret === undefined) deprecate('req.secret; provide secret option', 'TESSERA_ES_REQ_SECRET');

  const given = options.store;
  const store: Store = given === undefined ? new MemoryStore() : isTesseraStore(given) ? new TesseraStore(given) : (given as Store);
  if (process.env.NODE_ENV === 'production' && store instanceof MemoryStore) {
    console.warn('Warning: the express-session MemoryStore keeps sessions in this process only: they are lost on restart and not shared between processes. Use a real store in production.');
  }

  const resolveCookie = (req: SessionRequest): CookieOptions => (typeof cookieOption === 'function' ? cookieOption(req) : cookieOption) ?? {};

  /** A fresh session on `req`, with this middleware's cookie settings for this request. */
  const newSession = (req: SessionRequest): void => {
    req.sessionID = genid(req);
    const fresh = new Session(req);
    const settings = resolveCookie(req);
    fresh.cookie = new Cookie(settings);
    // 'auto' is read from the resolved settings, so it also works when `cookie` is a function.
    if (settings.secure === 'auto') fresh.cookie.secure = isSecure(req, proxy);
    if (settings.sameSite === 'auto') fresh.cookie.sameSite = isSecure(req, proxy) ? 'none' : 'lax';
    req.session = fresh;
  };

  store.generate = (req: SessionRequest): void => {
    const context = contexts.get(req);
    if (context !== undefined) context.generate();
    else newSession(req);
  };

  let storeReady = true;
  store.on('disconnect', () => {
    storeReady = false;
  });
  store.on('connect', () => {
    storeReady = true;
  });

  return function expressSession(incoming: IncomingMessage, res: ServerResponse, next: NextFunction): void {
    const req = incoming as SessionRequest;
    if (req.session) {
      next();
      return;
    }
    if (!storeReady) {
      next();
      return;
    }
    const cookiePath = resolveCookie(req).path || '/';
    if (!originalPathname(req).startsWith(cookiePath)) {
      next();
      return;
    }
    const secrets: SecretKey[] = secret ?? [req.secret as SecretKey];
    if (!secrets[0]) {
      next(new Error('secret option required for sessions'));
      return;
    }

    req.sessionStore = store;
    const cookieId = sessionIdFromRequest(req, name, secrets);
    req.sessionID = cookieId;

    let originalId: string | undefined;
    let originalHash: string | undefined;
    let savedHash: string | undefined;
    let touched = false;
    let destroyedCookie: Cookie | undefined;

    const isModified = (sess: Session): boolean => originalId !== sess.id || originalHash !== fingerprint(sess);
    const isSaved = (sess: Session): boolean => originalId === sess.id && savedHash === fingerprint(sess);

    const shouldSave = (): boolean => {
      if (typeof req.sessionID !== 'string') return false;
      const sess = req.session as Session;
      return !saveUninitialized && !savedHash && cookieId !== req.sessionID ? isModified(sess) : !isSaved(sess);
    };
    const shouldTouch = (): boolean => typeof req.sessionID === 'string' && cookieId === req.sessionID && !shouldSave();
    const shouldDestroy = (): boolean => Boolean(req.sessionID) && unsetDestroy && (req.session === null || req.session === undefined);
    const shouldSetCookie = (): boolean => {
      if (typeof req.sessionID !== 'string') return false;
      const sess = req.session as Session;
      return cookieId !== req.sessionID ? saveUninitialized || isModified(sess) : rolling || (sess.cookie.expires != null && isModified(sess));
    };

    const touchOnce = (): void => {
      if (touched) return;
      touched = true;
      (req.session as Session).touch();
    };

    const appendSetCookie = (value: string): void => {
      const previous = res.getHeader('Set-Cookie');
      const list = previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)];
      res.setHeader('Set-Cookie', [...list, value]);
    };

    /** The Set-Cookie decision, made once, just before the headers leave. */
    let headersPrepared = false;
    const prepareHeaders = (): void => {
      if (headersPrepared) return;
      headersPrepared = true;
      const sess = req.session;
      if (!sess) {
        if (destroyClearsCookie && destroyedCookie !== undefined && cookieId !== undefined) {
          const { path, domain, secure, sameSite, partitioned } = destroyedCookie.data;
          appendSetCookie(serializeCookie(name, '', { path, domain, secure, sameSite, partitioned, httpOnly: destroyedCookie.httpOnly, expires: new Date(0) }));
        }
        return;
      }
      if (!shouldSetCookie()) return;
      if (sess.cookie.secure && !isSecure(req, proxy)) return;
      touchOnce();
      appendSetCookie(sess.cookie.serialize(name, `s:${sign(req.sessionID as string, secrets[0] as SecretKey)}`));
    };

    const context: RequestContext = {
      generate: () => newSession(req),
      saved: (sess) => {
        if (sess === req.session) savedHash = fingerprint(sess);
      },
      destroyed: (cookie) => {
        destroyedCookie = cookie;
      },
      keepDataOnRegenerate: regenerateKeepsData,
    };
    contexts.set(req, context);

    const originalWriteHead = res.writeHead;
    const originalEnd = res.end;
    let ended = false;

    const prepareOrRethrow = (): void => {
      if (res.headersSent) return;
      try {
        prepareHeaders();
      } catch (error) {
        headersPrepared = true;
        throw error;
      }
    };

    res.writeHead = function sessionWriteHead(this: ServerResponse, ...args: unknown[]) {
      prepareOrRethrow();
      return (originalWriteHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as ServerResponse['writeHead'];

    res.end = function sessionEnd(this: ServerResponse, ...args: unknown[]) {
      if (ended) return res;
      const end = (): void => {
        (originalEnd as (...a: unknown[]) => ServerResponse).apply(res, args);
      };
      const afterStore = (error?: unknown): void => {
        if (error) setImmediate(next, error);
        end();
      };

      let operation: ((done: Callback) => void) | undefined;
      if (shouldDestroy()) {
        operation = (done) => store.destroy(req.sessionID as string, done);
      } else if (req.session) {
        touchOnce();
        if (shouldSave()) {
          const current = req.session;
          operation = (done) => current.save(done);
        } else if (typeof store.touch === 'function' && shouldTouch()) {
          const current = req.session;
          operation = (done) => store.touch!(req.sessionID as string, current as unknown as SessionData, done);
        }
      }
      // The cookie decision is made now, synchronously, as upstream makes it: a serialisation
      // error reaches the caller of res.end.
      prepareOrRethrow();
      ended = true;
      if (operation === undefined) {
        end();
        return res;
      }
      // The store write completes before the response does: no split of the last byte.
      let called = false;
      operation((error?: unknown) => {
        if (called) return;
        called = true;
        afterStore(error);
      });
      return res;
    } as ServerResponse['end'];

    const generate = (): void => {
      newSession(req);
      originalId = req.sessionID;
      originalHash = fingerprint(req.session as Session);
    };
    const inflate = (data: SessionData): void => {
      store.createSession(req, data);
      originalId = req.sessionID;
      originalHash = fingerprint(data);
      if (!resave) savedHash = originalHash;
    };

    if (!req.sessionID) {
      generate();
      next();
      return;
    }
    let answered = false;
    store.get(req.sessionID, (error?: unknown, data?: SessionData | null) => {
      if (answered) return;
      answered = true;
      const code = (error as { code?: unknown } | null | undefined)?.code;
      if (error && code !== 'ENOENT') {
        next(error);
        return;
      }
      try {
        if (error || !data) generate();
        else inflate(data);
      } catch (thrown) {
        next(thrown);
        return;
      }
      next();
    });
  };
}
