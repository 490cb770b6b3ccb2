// express-session's request lifecycle, kept as its own because its timing is the contract: when a
// session counts as modified or saved (a SHA-1 of its JSON without `cookie`), whether the end of
// the response destroys, saves or touches it through the callback Store (resave,
// saveUninitialized, rolling, unset), and whether a Set-Cookie goes out. The cookie decision is
// made just before the headers leave and a serialisation TypeError goes to next(err) (from `end`
// before anything is sent, so the error handler answers); the store call finishes before the
// response ends, and its error goes to next(err) after the response, as express-session delivers it.
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { contexts } from './context.js';
import type { Cookie } from './cookie.js';
import { serializeCookie } from './cookie-serialize.js';
import type { NextFunction, Settings } from './options.js';
import { isSecure } from './request.js';
import type { Callback, Session, SessionData, SessionRequest } from './session.js';
import { sign } from './signature.js';
import type { SecretKey } from './signature.js';

type Method = (...args: unknown[]) => unknown;

/** A fingerprint of the session data without its top-level `cookie`. */
function fingerprint(session: object): string {
  const json = JSON.stringify(session, function replacer(this: unknown, key: string, value: unknown) {
    return this === session && key === 'cookie' ? undefined : value;
  });
  return createHash('sha1').update(json, 'utf8').digest('hex');
}

/** Adds a Set-Cookie value, keeping those already set (always an array, as express-session leaves it). */
function appendSetCookie(res: ServerResponse, value: string): void {
  const previous = res.getHeader('Set-Cookie');
  const list = previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)];
  res.setHeader('Set-Cookie', [...list, value]);
}

/** The state of one request: what was loaded, what was saved, and the response patch. */
export class RequestLifecycle {
  #originalId: string | undefined;
  #originalHash: string | undefined;
  #savedHash: string | undefined;
  #touched = false;
  #headersPrepared = false;
  /** `res.end` was called (its store call may still run). */
  #ended = false;
  /** Node's own `end` has run. */
  #endedNow = false;
  /** `res.end` calls made while the first waited for the store, replayed after it. */
  readonly #laterEnds: unknown[][] = [];
  #destroyedCookie: Cookie | undefined;

  /** Registers the request's context and puts the wrappers on `res.writeHead` and `res.end` at once. */
  constructor(
    readonly req: SessionRequest,
    readonly res: ServerResponse,
    readonly settings: Settings,
    /** The ID the request's cookie carried, if any. */
    readonly cookieId: string | undefined,
    /** The secret that signs the cookie. */
    readonly secret: SecretKey,
    readonly newSession: (req: SessionRequest) => void,
    next: NextFunction,
  ) {
    contexts.set(req, {
      generate: () => newSession(req),
      saved: (sess) => {
        if (sess === req.session) this.#savedHash = fingerprint(sess);
      },
      destroyed: (cookie) => {
        this.#destroyedCookie = cookie;
      },
      keepDataOnRegenerate: settings.regenerateKeepsData,
    });
    this.#patch(next);
  }

  /** A new session for the request: the baseline is its empty data. */
  generate(): void {
    this.newSession(this.req);
    this.#originalId = this.req.sessionID;
    this.#originalHash = fingerprint(this.req.session as Session);
  }

  /** The stored session as `req.session`: the baseline is the stored data (already saved, unless `resave`). */
  inflate(data: SessionData): void {
    this.settings.store.createSession(this.req, data);
    this.#originalId = this.req.sessionID;
    this.#originalHash = fingerprint(data);
    if (!this.settings.resave) this.#savedHash = this.#originalHash;
  }

  #isModified(sess: Session): boolean {
    return this.#originalId !== sess.id || this.#originalHash !== fingerprint(sess);
  }

  #isSaved(sess: Session): boolean {
    return this.#originalId === sess.id && this.#savedHash === fingerprint(sess);
  }

  #shouldSave(sess: Session): boolean {
    if (typeof this.req.sessionID !== 'string') return false;
    const uninitialized = !this.settings.saveUninitialized && !this.#savedHash && this.cookieId !== this.req.sessionID;
    return uninitialized ? this.#isModified(sess) : !this.#isSaved(sess);
  }

  #shouldSetCookie(sess: Session): boolean {
    if (typeof this.req.sessionID !== 'string') return false;
    if (this.cookieId !== this.req.sessionID) return this.settings.saveUninitialized || this.#isModified(sess);
    return this.settings.rolling || (sess.cookie.expires != null && this.#isModified(sess));
  }

  #touchOnce(sess: Session): void {
    if (this.#touched) return;
    this.#touched = true;
    sess.touch();
  }

  /** The Set-Cookie decision, made once, just before the headers leave. */
  #prepareHeaders(): void {
    if (this.#headersPrepared || this.res.headersSent) return;
    this.#headersPrepared = true;
    const { req, settings } = this;
    const sess = req.session;
    if (!sess) {
      const cookie = this.#destroyedCookie;
      if (settings.destroyClearsCookie && cookie !== undefined && this.cookieId !== undefined) {
        const { path, domain, secure, sameSite, partitioned } = cookie.data;
        appendSetCookie(this.res, serializeCookie(settings.name, '', { path, domain, secure, sameSite, partitioned, httpOnly: cookie.httpOnly, expires: new Date(0) }));
      }
      return;
    }
    if (!this.#shouldSetCookie(sess)) return;
    if (sess.cookie.secure && !isSecure(req, settings.proxy)) return;
    this.#touchOnce(sess);
    appendSetCookie(this.res, sess.cookie.serialize(settings.name, `s:${sign(req.sessionID as string, this.secret)}`));
  }

  /** What the end of the response does with the store: destroy, save or touch, in express-session's order. */
  #storeOperation(): ((done: Callback) => void) | undefined {
    const { req, settings } = this;
    const store = settings.store;
    const sid = req.sessionID;
    const sess = req.session;
    if (sess === null || sess === undefined) return sid && settings.unsetDestroy ? (done) => store.destroy(sid, done) : undefined;
    if (!sess) return undefined; // another falsy value (`false`): nothing, as upstream
    this.#touchOnce(sess);
    if (this.#shouldSave(sess)) return (done) => sess.save(done);
    const unchanged = typeof sid === 'string' && this.cookieId === sid;
    if (typeof store.touch === 'function' && unchanged) return (done) => store.touch!(sid, sess as unknown as SessionData, done);
    return undefined;
  }

  /**
   * Wraps `res.writeHead` and `res.end` on the instance. The cookie decision runs before the
   * headers leave; if serialising the cookie throws, the error goes to `next(err)` on a later
   * turn (from `end`, the response is left unsent so the error handler can answer; from
   * `writeHead`, the headers go out without the cookie). The first `end` waits for the store;
   * a later `end` runs Node's own `end` once the first has, so it fails as it does without the
   * middleware (ERR_STREAM_WRITE_AFTER_END with a body, ERR_STREAM_ALREADY_FINISHED to a callback).
   */
  #patch(next: NextFunction): void {
    const { res } = this;
    const writeHead = res.writeHead as Method;
    const end = res.end as Method;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const lifecycle = this;
    /** The cookie decision; false (and the error on its way to next) when serialising threw. */
    const prepareHeaders = (): boolean => {
      try {
        lifecycle.#prepareHeaders();
        return true;
      } catch (error) {
        setImmediate(next, error);
        return false;
      }
    };
    /** Ends the response for real, then replays the `end` calls that came meanwhile. */
    const endNow = (args: unknown[]): void => {
      end.apply(res, args);
      lifecycle.#endedNow = true;
      for (const later of lifecycle.#laterEnds.splice(0)) end.apply(res, later);
    };
    res.writeHead = function sessionWriteHead(this: ServerResponse, ...args: unknown[]) {
      prepareHeaders();
      return writeHead.apply(this, args);
    } as ServerResponse['writeHead'];
    res.end = function sessionEnd(...args: unknown[]) {
      if (lifecycle.#ended) {
        if (lifecycle.#endedNow) return end.apply(res, args);
        lifecycle.#laterEnds.push(args);
        return res;
      }
      const operation = lifecycle.#storeOperation();
      if (!prepareHeaders()) {
        // Not ended: the error handler answers. A callback given here runs when that answer is sent.
        const callback = args.find((arg) => typeof arg === 'function') as (() => void) | undefined;
        if (callback !== undefined) res.once('finish', callback);
        return res;
      }
      lifecycle.#ended = true;
      if (operation === undefined) {
        endNow(args);
        return res;
      }
      // The store call completes before the response does: no split of the last byte.
      let called = false;
      operation((error?: unknown) => {
        if (called) return;
        called = true;
        if (error) setImmediate(next, error);
        endNow(args);
      });
      return res;
    } as ServerResponse['end'];
  }
}
