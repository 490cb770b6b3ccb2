// Type tests for data typed by a generic, without augmentation.
import type { Session } from '../../src/core/index.js';
import { MemoryStore, createSessionManager } from '../../src/core/index.js';

interface Cart {
  items: string[];
  total: number;
}

type Equals<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
const expectTrue = <T extends true>(): T => true as T;

const manager = createSessionManager<Cart>({ secrets: process.env.SESSION_SECRET! });
export async function generic(): Promise<Session<Cart>> {
  const s = await manager.load(undefined);
  expectTrue<Equals<ReturnType<typeof s.get<'total'>>, number | undefined>>();
  s.set('items', ['a']);
  // @ts-expect-error total is a number
  s.set('total', 'ten');
  // @ts-expect-error not a key of Cart
  s.has('userId');
  return s;
}

// A sealed-mode option without `mode: 'cookie'` (a forgotten mode) does not compile.
// @ts-expect-error maxCookieBytes is a cookie-mode option
createSessionManager({ secrets: 'x'.repeat(32), maxCookieBytes: 6000 });
// @ts-expect-error revocationStore is a cookie-mode option
createSessionManager({ secrets: 'x'.repeat(32), revocationStore: new MemoryStore() });
