// The demo login site: an Express app on tessera, server-rendered, with no front-end build.
import express from 'express';
import type { Express, NextFunction, Request, Response } from 'express';
import { systemClock } from '../../src/index.js';
import type { Clock, CookieOptions, DbscOptions, SessionStore } from '../../src/index.js';
import { createCsrf } from '../../src/csrf/index.js';
import type { AppDeps } from './deps.js';
import { LoginThrottle } from './login-throttle.js';
import type { LoginLimits } from './login-throttle.js';
import { loadUser, noStore, recordVisit } from './middleware.js';
import { authRoutes } from './routes/auth.js';
import { deviceRoutes } from './routes/devices.js';
import { profileRoutes } from './routes/profile.js';
import { pageContext, sendPage } from './routes/render.js';
import { shopRoutes } from './routes/shop.js';
import { createSessions } from './sessions.js';
import type { UserRepository } from './users/types.js';
import { clientErrorView, errorView } from './views/error.js';

export interface AppOptions {
  store: SessionStore;
  users: UserRepository;
  /** At least 32 bytes; an array rotates (the first signs). */
  secrets: string | string[];
  clock?: Clock;
  /** Seconds; defaults in sessions.ts. */
  idleTimeout?: number;
  lifetime?: number;
  cookie?: CookieOptions;
  /** Failed logins allowed per account and per IP in a window; defaults in login-throttle.ts (5, 20, 15 minutes). */
  loginLimits?: LoginLimits;
  /** Device Bound Session Credentials: on by default where the store has compare-and-set; false turns it off. */
  dbsc?: DbscOptions | false;
}

/** The status of an error meant for the client (the body parser's 413 or 400), else undefined. */
function clientErrorStatus(error: unknown): number | undefined {
  const { status, expose } = (typeof error === 'object' && error !== null ? error : {}) as { status?: unknown; expose?: unknown };
  return typeof status === 'number' && status >= 400 && status < 500 && expose === true ? status : undefined;
}

export function createApp(options: AppOptions): Express {
  const clock = options.clock ?? systemClock;
  const { manager, middleware, dbsc } = createSessions({
    secrets: options.secrets,
    store: options.store,
    clock,
    ...(options.idleTimeout === undefined ? {} : { idleTimeout: options.idleTimeout }),
    ...(options.lifetime === undefined ? {} : { lifetime: options.lifetime }),
    ...(options.cookie === undefined ? {} : { cookie: options.cookie }),
    // Chrome on Windows and macOS binds the session to a key on the device (docs/device-bound-sessions.md).
    ...(options.dbsc === false || typeof options.store.setIf !== 'function' ? {} : { dbsc: options.dbsc ?? {} }),
  });
  const csrf = createCsrf();
  const deps: AppDeps = { manager, users: options.users, csrf, clock, throttle: new LoginThrottle(clock, options.loginLimits) };

  const app = express();
  app.disable('x-powered-by');
  app.get('/favicon.ico', (_req, res) => void res.status(204).end()); // no session for it
  // The DBSC endpoints read the session cookie themselves and answer before any page middleware.
  if (dbsc !== undefined) app.use(dbsc);
  app.use(noStore);
  // The session and the user first, so that every page after them, the CSRF and body-parser
  // error pages included, shows the navigation of the visitor's state.
  app.use(middleware);
  app.use(loadUser(options.users));
  app.use(express.urlencoded({ extended: false, limit: '8kb' }));
  app.use(
    csrf.protect({
      onFailure: (req, res) => {
        const ctx = pageContext(req as Request, res as Response, deps, 'Form expired');
        sendPage(res as Response, ctx, errorView('This form has expired', 'The form was not sent from a page of this session. Go back, reload the page and try again.'), 403);
      },
    }),
  );
  app.use(recordVisit(clock));
  app.use(shopRoutes(deps), authRoutes(deps), profileRoutes(deps), deviceRoutes(deps));

  app.use((req: Request, res: Response) => {
    sendPage(res, pageContext(req, res, deps, 'Not found'), errorView('Not found', 'There is no page here.'), 404);
  });
  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    const status = clientErrorStatus(error);
    if (status !== undefined && !res.headersSent) {
      // The client's mistake (a form over the size limit: 413): a page that says so, no stack in the
      // log. The session middleware ran before the body parser, so the page has its frame.
      const page = clientErrorView(status);
      sendPage(res, pageContext(req, res, deps, page.title), page.body, status);
      return;
    }
    console.error('auth-app:', error);
    if (res.headersSent) {
      next(error);
      return;
    }
    res.status(500).type('text').send('Something went wrong. Please try again.');
  });
  return app;
}
