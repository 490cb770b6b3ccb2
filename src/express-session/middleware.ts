// The session(options) middleware factory: express-session 1.x's request handling (which requests
// get a session, the signed cookie, loading through the callback Store), without its Node
// internals or its split of the body's last byte. What happens at the end of the response is in
// lifecycle.ts; the options and their defaults in options.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { contexts } from './context.js';
import { Cookie } from './cookie.js';
import { RequestLifecycle } from './lifecycle.js';
import { resolveOptions } from './options.js';
import type { NextFunction, SessionMiddleware, SessionOptions } from './options.js';
import { isSecure, originalPathname, sessionIdFromRequest } from './request.js';
import { Session } from './session.js';
import type { SessionData, SessionRequest } from './session.js';
import type { SecretKey } from './signature.js';

/** Creates the session middleware. Same options, defaults and behaviour as express-session 1.19. */
export function session(options: SessionOptions = {}): SessionMiddleware {
  const settings = resolveOptions(options);
  const { store, proxy } = settings;

  /** A fresh session on `req`, with this middleware's cookie settings for this request. */
  const newSession = (req: SessionRequest): void => {
    req.sessionID = settings.genid(req);
    const fresh = new Session(req);
    const cookie = settings.cookie(req);
    fresh.cookie = new Cookie(cookie);
    // 'auto' is read from the resolved settings, so it also works when `cookie` is a function.
    if (cookie.secure === 'auto') fresh.cookie.secure = isSecure(req, proxy);
    if (cookie.sameSite === 'auto') fresh.cookie.sameSite = isSecure(req, proxy) ? 'none' : 'lax';
    req.session = fresh;
  };

  store.generate = (req: SessionRequest): void => {
    const context = contexts.get(req);
    if (context !== undefined) context.generate();
    else newSession(req);
  };

  let storeReady = true;
  // Every Store is an EventEmitter; a bare object with get/set/destroy has no events to follow.
  if (typeof store.on === 'function') {
    store.on('disconnect', () => {
      storeReady = false;
    });
    store.on('connect', () => {
      storeReady = true;
    });
  }

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
    const cookiePath = settings.cookie(req).path || '/';
    if (!originalPathname(req).startsWith(cookiePath)) {
      next();
      return;
    }
    const secrets: SecretKey[] = settings.secrets ?? [req.secret as SecretKey];
    if (!secrets[0]) {
      next(new Error('secret option required for sessions'));
      return;
    }

    req.sessionStore = store;
    const cookieId = sessionIdFromRequest(req, settings.name, secrets);
    req.sessionID = cookieId;
    const lifecycle = new RequestLifecycle(req, res, settings, cookieId, secrets[0], newSession, next);

    if (!req.sessionID) {
      lifecycle.generate();
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
        if (error || !data) lifecycle.generate();
        else lifecycle.inflate(data);
      } catch (thrown) {
        next(thrown);
        return;
      }
      next();
    });
  };
}
