// Type tests, compiled by `npm run typecheck` (tsc -p test/types): an augmented SessionData types
// req.session everywhere, and mistakes are compile errors.
import type { Request } from 'express';
import type { Session } from 'tessera-session';
import { createSessionManager } from 'tessera-session';
import 'tessera-session/express';

declare module 'tessera-session' {
  interface SessionData {
    userId: string;
    cart: string[];
  }
}

type Equals<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
const expectTrue = <T extends true>(): T => true as T;

declare const req: Request;
expectTrue<Equals<ReturnType<typeof req.session.get<'userId'>>, string | undefined>>();
expectTrue<Equals<ReturnType<typeof req.session.get<'cart'>>, string[] | undefined>>();
req.session.set('userId', 'u1');
// @ts-expect-error a wrong value type is a compile error
req.session.set('userId', 42);
// @ts-expect-error an unknown key is a compile error
req.session.get('nope');
req.session.update('cart', (cart) => [...(cart ?? []), 'apple']);

const manager = createSessionManager({ secrets: process.env.SESSION_SECRET! });
export async function typed(): Promise<Session> {
  const s = await manager.load(undefined);
  const user: string | undefined = s.get('userId');
  void user;
  return s;
}
