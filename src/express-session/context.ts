// What the middleware knows about one request, reachable from `req` by the Session methods and
// the Store base class. Keyed by the request object, so two middlewares sharing one store never
// see each other's cookie options (upstream assigns `store.generate` per middleware instead).
import type { Cookie } from './cookie.js';

export interface RequestContext {
  /** Replaces `req.session` and `req.sessionID` with a new, empty session. */
  generate(): void;
  /** `req.session.save()` ran: the current data counts as saved. */
  saved(session: object): void;
  /** `req.session.destroy()` ran: remember the cookie, to clear it when configured. */
  destroyed(cookie: Cookie | undefined): void;
  /** `regenerateKeepsData`: regenerate copies the data to the new session. */
  readonly keepDataOnRegenerate: boolean;
}

export const contexts = new WeakMap<object, RequestContext>();
