// Type tests for a program that imports both tessera-session/express (native) and the drop-in,
// in the same program as augmented.test-d.ts: it compiles, Express's req.session is the native
// Session that tessera-session/express declares on Express.Request, and drop-in code types its
// request as the drop-in's SessionRequest.
import type { Request } from 'express';
import type { Session } from 'tessera-session';
import 'tessera-session/express';
import session from '../../src/express-session/index.js';
import type { RequestSession, SessionRequest } from '../../src/express-session/index.js';

type Equals<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
const expectTrue = <T extends true>(): T => true as T;

declare const req: Request;
expectTrue<Equals<typeof req.session, Session>>();
req.session.set('userId', 'u1');
// @ts-expect-error the drop-in's callback methods are not on the native Session
req.session.save(() => {});
// req.sessionID and req.sessionStore come from the drop-in alone.
const id: string = req.sessionID;
void id;

export const middleware = session({ secret: 'keyboard cat', resave: false, saveUninitialized: false });
export function dropInHandler(request: SessionRequest): RequestSession | null | undefined {
  request.session?.touch();
  return request.session;
}
