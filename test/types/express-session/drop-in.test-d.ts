// Type tests for tessera-session/express-session in a program without tessera-session/express
// (its own tsconfig, run by `npm run typecheck`): an Express app that uninstalled
// @types/express-session gets req.session, req.sessionID and req.sessionStore as those types
// gave them, SessionData is augmented through the entry's name, and mistakes do not compile.
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import session from 'tessera-session/express-session';
import type { Cookie, RequestSession, SessionData, SessionRequest, Store } from 'tessera-session/express-session';

declare module 'tessera-session/express-session' {
  interface SessionData {
    views: number;
    user: { id: string; name: string };
  }
}

type Equals<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
const expectTrue = <T extends true>(): T => true as T;

const app = express();
app.use(session({ secret: 'keyboard cat', resave: false, saveUninitialized: false }));

app.get('/', (req, res) => {
  // The augmented data, optional on req.session (a new session has none of it).
  expectTrue<Equals<typeof req.session.views, number | undefined>>();
  expectTrue<Equals<typeof req.session.user, { id: string; name: string } | undefined>>();
  req.session.views = (req.session.views ?? 0) + 1;
  req.session.user = { id: 'u1', name: 'Ada' };
  delete req.session.user;
  // @ts-expect-error a key SessionData does not declare
  req.session.nope = 1;
  // @ts-expect-error views is a number
  req.session.views = 'ten';
  // @ts-expect-error user needs a name
  req.session.user = { id: 'u1' };

  expectTrue<Equals<typeof req.sessionID, string>>();
  expectTrue<Equals<typeof req.session.id, string>>();
  // @ts-expect-error the session's id is read-only
  req.session.id = 'other';
  // @ts-expect-error req.sessionID is a string
  req.sessionID = 42;

  // The cookie, as a Cookie.
  expectTrue<Equals<typeof req.session.cookie, Cookie>>();
  const maxAge: number | null = req.session.cookie.maxAge;
  req.session.cookie.maxAge = 60_000;
  req.session.cookie.expires = new Date(Date.now() + 60_000);
  req.session.cookie.sameSite = 'lax';
  void maxAge;

  // Store, as the middleware set it.
  const store: Store = req.sessionStore;
  void store;
  res.end(String(req.session.views));
});

app.post('/login', (req: Request, res: Response, next: NextFunction) => {
  // Node-style callbacks return the session, for chaining.
  const chained: RequestSession = req.session.regenerate((err) => {
    if (err) return next(err);
    req.session.save((saveError) => (saveError ? next(saveError) : res.redirect('/')));
  });
  void chained;
  req.session.touch().resetMaxAge();
  // @ts-expect-error regenerate takes a callback, not a value
  req.session.regenerate('now');
});

app.post('/logout', async (req, res) => {
  // Without a callback the methods return promises.
  const saved = req.session.save();
  expectTrue<Equals<typeof saved, Promise<void>>>();
  await saved;
  await req.session.reload();
  await req.session.regenerate();
  await req.session.destroy();
  res.end();
});

// A store written in TypeScript sees the augmented SessionData.
export function readViews(data: SessionData): number {
  // @ts-expect-error views is a number, not a string
  const wrong: string = data.views;
  void wrong;
  return data.views;
}

// Without Express, a node:http handler types its request as SessionRequest.
export function plain(req: SessionRequest): number | undefined {
  // @ts-expect-error req.session may be undefined on a SessionRequest
  void req.session.views;
  return req.session?.views;
}

// connect-redis 9 extends the real express-session's Store, whose types (@types/express-session)
// a migrated app no longer has: its RedisStore is still accepted as `store`, with no cast.
import { RedisStore as ConnectRedisStore } from 'connect-redis';
import { createClient as createRedisClient } from 'redis';
session({ secret: 'a', resave: false, saveUninitialized: false, store: new ConnectRedisStore({ client: createRedisClient() }) });
