// Type tests: a Hono app typed with SessionEnv<T> types the session by T through c.get('session'),
// and the keyed methods of c.var.session too.
import { Hono } from 'hono';
import type { DefaultSessionData } from '../../src/index.js';
import { getSession } from '../../src/hono/index.js';
import type { SessionEnv } from '../../src/hono/index.js';

interface Visits {
  visits: number;
}

type Equals<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
const expectTrue = <T extends true>(): T => true as T;

const app = new Hono<SessionEnv<Visits>>();
app.get('/', (c) => {
  const byGet = c.get('session');
  expectTrue<Equals<ReturnType<typeof byGet.get<'visits'>>, number | undefined>>();
  const byVar = c.var.session;
  const visits = byVar.get('visits');
  expectTrue<Equals<typeof visits, number | undefined>>();
  byVar.set('visits', 1);
  // @ts-expect-error visits is a number
  byVar.set('visits', 'one');
  const next = byVar.update('visits', (n = 0) => n + 1);
  expectTrue<Equals<typeof next, number>>();
  // c.var is Hono's ContextVariableMap (typed by SessionData) intersected with the app's
  // variables, so a method without arguments (toJSON) follows SessionData there: c.get types it.
  const json = byGet.toJSON();
  expectTrue<Equals<typeof json.visits, number | undefined>>();
  // getSession takes the app's type from the context, or from its type argument on a plain app.
  const viaHelper = getSession(c);
  const helperVisits = viaHelper.get('visits');
  expectTrue<Equals<typeof helperVisits, number | undefined>>();
  // @ts-expect-error visits is a number
  viaHelper.set('visits', 'one');
  return c.json({ visits, next, json, helperVisits });
});

const plain = new Hono();
plain.get('/', (c) => {
  const typed = getSession<Visits>(c);
  const visits = typed.get('visits');
  expectTrue<Equals<typeof visits, number | undefined>>();
  const untyped = getSession(c);
  expectTrue<Equals<typeof untyped, ReturnType<typeof getSession<DefaultSessionData>>>>();
  return c.json({ visits, keys: untyped.keys() });
});
