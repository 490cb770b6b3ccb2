// Compiled by scripts/check-docs.mjs in a scratch project that installed the packed package, in
// one program with README.md's TypeScript blocks: README's `declare module 'tessera-session'`
// block (and nothing else) augments SessionData, and this file proves that the augmentation types
// the session in every entry that hands one out. An entry that gives out sessions gets a line here.
import type { Request } from 'express';
import { createSessionManager } from 'tessera-session';
import type { Session } from 'tessera-session';
import { sessionProtocol } from 'tessera-session/adapter';
import { createCsrf } from 'tessera-session/csrf';
import { getSession } from 'tessera-session/express';

type Equals<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
const expectTrue = <T extends true>(): T => true as T;

// tessera-session/express: req.session and getSession(req).
declare const req: Request;
expectTrue<Equals<ReturnType<typeof req.session.get<'userId'>>, string | undefined>>();
expectTrue<Equals<ReturnType<typeof req.session.get<'cart'>>, string[] | undefined>>();
req.session.set('cart', ['apple']);
// @ts-expect-error userId is a string
req.session.set('userId', 42);
// @ts-expect-error not a key of SessionData
req.session.get('nope');
const fromRequest = getSession(req);
expectTrue<Equals<typeof fromRequest, Session>>();
fromRequest.update('cart', (cart) => [...(cart ?? []), 'pear']);

// tessera-session: the manager's sessions.
const manager = createSessionManager({ secrets: process.env.SESSION_SECRET! });
export async function fromManager(): Promise<string | undefined> {
  const session = await manager.load(undefined);
  // @ts-expect-error cart is a list of strings
  session.set('cart', 'apple');
  return session.get('userId');
}

// tessera-session/adapter: what an adapter loads through the protocol.
const protocol = sessionProtocol(manager);
export async function fromProtocol(): Promise<string[] | undefined> {
  const session = await protocol.load(undefined);
  // @ts-expect-error not a key of SessionData
  session.has('nope');
  return session.get('cart');
}

// tessera-session/csrf takes the typed session as it is.
const csrf = createCsrf();
export const token: string = csrf.token(req.session);
