// What the drop-in adds to Express's `Request` type, as @types/express-session did: `req.session`
// (the Session plus your augmented SessionData), `req.sessionID` and `req.sessionStore`. Uninstall
// @types/express-session: both would declare these members.
//
// The members go on express-serve-static-core's `Request` (the interface behind express's
// `Request`), not on the global `Express.Request`, because `tessera-session/express` declares
// `Express.Request.session` as tessera's own Session and TypeScript rejects two declarations of
// one property with different types. Express's `Request` extends `Express.Request`, so when both
// entries are in one program `req.session` is the one `Express.Request` declares (tessera's
// native Session) and nothing fails to compile; with the drop-in alone it is the drop-in's.
// The reference puts Express's types in this package's own build; it is not emitted, so an
// application's program has them only through its own `express` import, as it should.
/// <reference types="express-serve-static-core" />
import type { RequestSession, Store } from './session.js';

declare global {
  // Declared empty so that the name exists even in a program without Express's types.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Request {}
  }
}

/** `req.session` on Express's `Request`: the drop-in's, unless `Express.Request` already declares a `session` (tessera-session/express). */
export type ExpressRequestSession = Express.Request extends {
  /** The `session` that `Express.Request` may already declare. */
  session: infer Declared;
} ? Declared : RequestSession;

declare module 'express-serve-static-core' {
  interface Request {
    /**
     * This request's session (tessera-session/express-session). Declared present, as
     * @types/express-session declared it, although it is undefined before the middleware runs,
     * while the store is disconnected and after `req.session.destroy()`.
     */
    session: ExpressRequestSession;
    /** This request's session ID (tessera-session/express-session). */
    sessionID: string;
    /** The store the session middleware uses (tessera-session/express-session). */
    sessionStore: Store;
  }
}
