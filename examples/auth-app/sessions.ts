// The session manager of the demo and the middleware that loads and stores sessions.
import type { SessionManager, SessionManagerOptions } from '../../src/index.js';
import { createDbscEndpoints, nodeDbscMiddleware } from '../../src/dbsc/index.js';
import { createSessionManager } from '../../src/index.js';
import type { SessionMiddleware } from '../../src/express/index.js';
import { session } from '../../src/express/index.js';
import type { AppSessionData } from './session-data.js';

export interface Sessions {
  /** Lists and revokes a user's sessions ("Your devices"). */
  manager: SessionManager<AppSessionData>;
  /** Loads the session of each request, and stores it before the response ends. */
  middleware: SessionMiddleware;
  /** The DBSC registration and refresh endpoints (device-bound sessions), when `dbsc` is on. */
  dbsc: ReturnType<typeof nodeDbscMiddleware> | undefined;
}

/** One week at most; logged out after two hours without a request, unless the options say otherwise. */
export const SESSION_DEFAULTS = { lifetime: 7 * 24 * 60 * 60, idleTimeout: 2 * 60 * 60 } as const;

export function createSessions(options: SessionManagerOptions): Sessions {
  const settings: SessionManagerOptions = { ...SESSION_DEFAULTS, userKey: 'userId', ...options };
  const manager = createSessionManager<AppSessionData>(settings);
  // Record each new session's browser and IP for the "Your devices" page.
  const middleware = session(manager, { recordClient: true });
  const dbsc = settings.dbsc === undefined ? undefined : nodeDbscMiddleware(createDbscEndpoints(manager));
  return { manager, middleware, dbsc };
}
