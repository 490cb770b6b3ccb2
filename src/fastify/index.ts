import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DefaultSessionData, ManagerOptions, Session as TesseraSession, SessionManager } from '../index.js';
import { SessionError, createSessionManager } from '../index.js';
import { sessionProtocol } from '../adapter/index.js';
import { sessionHooks } from './hooks.js';
import { STATE } from './request-state.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The visitor's session, loaded by tessera's plugin (typed by augmenting `SessionData` from `tessera-session`). */
    session: TesseraSession<DefaultSessionData>;
  }
}

/** What the Fastify plugin adds to the manager's options. */
export interface PluginOptions {
  /**
   * A store failure (loading or committing): `'respond'` (default) answers 503 with `Retry-After`
   * itself; `'error'` hands the `SessionError` to Fastify's error handler, with `statusCode` 503
   * (500 for a failure that is not the store's) and `headers: { 'retry-after': '1' }` for a 503.
   */
  onStoreError?: 'respond' | 'error';
  /** Record the user agent and IP (`request.ip`, which follows Fastify's `trustProxy`) of new and regenerated (logged-in) sessions, for `listSessions`. Default false. */
  recordClient?: boolean;
  /** Every failure answered with `'respond'`, and every failure after the headers left. Default: `request.log.error`. */
  onError?: (error: SessionError, request: FastifyRequest) => void;
  /** The request property that holds the session. Default `'session'`; give a second manager its own (e.g. `'adminSession'`). */
  decorator?: string;
}

/** Options of the plugin: the manager's options (either mode), or `{ manager }` (made with `createSessionManager`), plus `PluginOptions`. */
export type FastifySessionOptions = (
  | ManagerOptions
  | {
      /** A manager made with `createSessionManager`, shared with other code (e.g. `listSessions`). */
      manager: SessionManager<object>;
    }
) &
  PluginOptions;

/**
 * Logs the failure once: the message says what failed and why, `err` is the driver's error with
 * its stack (pino's serializer appends a cause's message to its error's, which would repeat it).
 */
function defaultOnError(error: SessionError, request: FastifyRequest): void {
  request.log.error({ code: error.code, err: error.cause instanceof Error ? error.cause : error }, `tessera: ${error.code}: ${error.message}`);
}

/**
 * The session plugin for Fastify 5. Not encapsulated, as if wrapped by fastify-plugin (without
 * depending on it): it serves the routes of the context it is registered in and of that
 * context's children, and no sibling. Loads in `onRequest`, commits in `onSend` before the
 * headers leave.
 *
 * @example
 * await app.register(session, { secrets: process.env.SESSION_SECRET!, store: new SqliteStore(db) });
 * app.get('/', async (request) => ({ views: request.session.update('views', (n = 0) => n + 1) }));
 */
export function session(instance: FastifyInstance, options: FastifySessionOptions, done: (error?: Error) => void): void {
  const decorator = options.decorator ?? 'session';
  let manager: SessionManager<object>;
  try {
    manager = 'manager' in options ? options.manager : createSessionManager<object>(options);
  } catch (error) {
    done(error as Error);
    return;
  }
  if (instance.hasRequestDecorator(decorator)) {
    done(new SessionError('ERR_SESSION_CONFIG', `request.${decorator} is already decorated in this context: give this session plugin another { decorator }`));
    return;
  }
  // Request decorators: every request gets the same shape, with the slots set to null.
  instance.decorateRequest(decorator, null as never);
  if (!instance.hasRequestDecorator(STATE)) instance.decorateRequest(STATE, null as never);
  const hooks = sessionHooks({
    protocol: sessionProtocol<object>(manager),
    decorator,
    onStoreError: options.onStoreError ?? 'respond',
    recordClient: options.recordClient ?? false,
    onError: options.onError ?? defaultOnError,
  });
  instance.addHook('onRequest', hooks.onRequest);
  instance.addHook('onSend', hooks.onSend);
  instance.addHook('onResponse', hooks.onResponse);
  done();
}

// What fastify-plugin would set: no encapsulation (the hooks and decorators go to the registering
// context), a name other plugins can list in their dependencies, and the Fastify versions served.
Object.assign(session, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'tessera-session',
  [Symbol.for('plugin-meta')]: { name: 'tessera-session', fastify: '5.x' },
});

export { getSession } from './get-session.js';
export { isSessionHttpError } from './reply-headers.js';
export type { SessionHttpError } from './reply-headers.js';
export { saveSession } from './save-session.js';
export type { SessionInfo } from '../index.js';
