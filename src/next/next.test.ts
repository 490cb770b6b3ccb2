// tessera-session/next against the cookie classes Next.js itself uses for `cookies()` (its compiled
// copy of @edge-runtime/cookies): what a Server Action sets is the cookie tessera wrote, attribute
// for attribute. test/next/next-app.test.ts runs a real `next build` and `next start`.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MemoryStore, createSessionManager } from '../index.js';
import { serializeSetCookie, resolveCookieOptions } from '../adapter/index.js';
import { cookieInitOf } from './cookie-init.js';
import { getSession, saveSession } from './index.js';
import type { CookieWriter } from './index.js';
import type { ResponseCookies as NextResponseCookies } from 'next/dist/compiled/@edge-runtime/cookies';

const require = createRequire(import.meta.url);
const { ResponseCookies } = require('next/dist/compiled/@edge-runtime/cookies') as { ResponseCookies: typeof NextResponseCookies };

const SECRET = 'next-entry-secret-0123456789abcdefghijklmn';
type Data = { userId?: string; n?: number };

/** Next's `cookies()` in a Server Action: a ResponseCookies over the response's headers. */
function actionCookies(): { jar: CookieWriter; setCookie: () => string[] } {
  const headers = new Headers();
  const cookies = new ResponseCookies(headers);
  return { jar: { set: (init) => cookies.set(init) }, setCookie: () => headers.getSetCookie() };
}

/** The attributes of a Set-Cookie value, lower-cased names, in a canonical order. */
function attributes(setCookie: string): Record<string, string> {
  const [pair, ...rest] = setCookie.split(/;\s*/);
  const out: Record<string, string> = { pair: pair! };
  for (const a of rest) {
    const at = a.indexOf('=');
    const name = (at === -1 ? a : a.slice(0, at)).toLowerCase();
    const value = at === -1 ? '' : a.slice(at + 1);
    out[name] = name === 'expires' ? String(Date.parse(value)) : name === 'samesite' || name === 'priority' ? value.toLowerCase() : value;
  }
  return out;
}

describe('tessera-session/next', () => {
  it('property: every Set-Cookie tessera writes comes out of Next.js cookies().set() with the same name, value and attributes', () => {
    const options = fc.record({
      name: fc.constantFrom('__Host-sid', 'sid', '__Secure-s', 'app.session'),
      secure: fc.boolean(),
      httpOnly: fc.boolean(),
      sameSite: fc.constantFrom('lax', 'strict', 'none') as fc.Arbitrary<'lax' | 'strict' | 'none'>,
      partitioned: fc.boolean(),
      priority: fc.constantFrom(undefined, 'low', 'medium', 'high') as fc.Arbitrary<'low' | 'medium' | 'high' | undefined>,
      path: fc.constantFrom('/', '/app'),
      domain: fc.constantFrom(undefined, 'example.com'),
    });
    fc.assert(
      fc.property(options, fc.constantFrom(undefined, 0, 1, 3600, 34_560_000), fc.stringMatching(/^[A-Za-z0-9_.-]{0,60}$/), (raw, maxAge, value) => {
        const prefixed = raw.name.startsWith('__Host-') || raw.name.startsWith('__Secure-');
        const input = { ...raw, secure: raw.secure || prefixed || raw.sameSite === 'none' || raw.partitioned, ...(raw.name.startsWith('__Host-') ? { path: '/', domain: undefined } : {}) };
        const cookie = resolveCookieOptions(input);
        const written = serializeSetCookie(cookie, value, maxAge, Date.now());
        const { jar, setCookie } = actionCookies();
        jar.set(cookieInitOf(written));
        const [sent] = setCookie();
        const [want, got] = [attributes(written), attributes(sent!)];
        // Next computes Expires anew from Max-Age and its own clock: the same instant, give or take the test's run time.
        if (maxAge !== undefined && maxAge > 0) {
          assert.ok(Math.abs(Number(got.expires) - Number(want.expires)) <= 2000, `${written}\n${sent}`);
          delete want.expires;
          delete got.expires;
        }
        assert.deepEqual(got, want, `${written}\n${sent}`);
      }),
      { numRuns: 500 },
    );
  });

  it('a Server Action login: the regenerated session is saved and its cookie set; the next request reads it', async () => {
    const store = new MemoryStore();
    const manager = createSessionManager<Data>({ secrets: SECRET, store });
    const anonymous = await getSession(manager, new Headers());
    anonymous.set('n', 1);
    const first = actionCookies();
    await saveSession(manager, anonymous, first.jar);
    const cookie = first.setCookie()[0]!.split(';')[0]!;
    const session = await getSession(manager, new Headers({ cookie }));
    assert.equal(session.get('n'), 1);
    session.regenerate();
    session.set('userId', 'ada');
    const login = actionCookies();
    await saveSession(manager, session, login.jar);
    const [set] = login.setCookie();
    assert.match(set!, /^__Host-sid=[^;]+; Path=\/; Secure; HttpOnly; SameSite=lax$/i);
    const next = await getSession(manager, new Headers({ cookie: set!.split(';')[0]! }));
    assert.equal(next.get('userId'), 'ada');
    assert.equal((await getSession(manager, new Headers({ cookie }))).get('n'), undefined, 'the old ID is gone');
  });

  it('logout clears the __Host- cookie with Secure kept (cookies().delete() would drop it, and the browser would keep the cookie)', async () => {
    const manager = createSessionManager<Data>({ secrets: SECRET, store: new MemoryStore() });
    const s = await getSession(manager, new Headers());
    s.set('userId', 'ada');
    const login = actionCookies();
    await saveSession(manager, s, login.jar);
    const cookie = login.setCookie()[0]!.split(';')[0]!;
    const session = await getSession(manager, new Headers({ cookie }));
    session.destroy();
    const out = actionCookies();
    await saveSession(manager, session, out.jar);
    const cleared = attributes(out.setCookie()[0]!);
    assert.equal(cleared.pair, '__Host-sid=');
    assert.equal(cleared['max-age'], '0');
    assert.equal(cleared.secure, '');
    assert.equal(cleared.path, '/');
    assert.equal((await getSession(manager, new Headers({ cookie }))).get('userId'), undefined);
  });

  it('where cookies cannot be set (a Server Component), saveSession throws before the store is written', async () => {
    const store = new MemoryStore();
    const manager = createSessionManager<Data>({ secrets: SECRET, store });
    const session = await getSession(manager, new Headers());
    session.set('userId', 'ada');
    const readOnly: CookieWriter = {
      set: () => {
        throw new Error('Cookies can only be modified in a Server Action or Route Handler.');
      },
    };
    const writes: string[] = [];
    const set = store.set.bind(store);
    const setIf = store.setIf.bind(store);
    store.set = (...args) => (writes.push(args[0]), set(...args));
    store.setIf = (...args) => (writes.push(args[0]), setIf(...args));
    await assert.rejects(saveSession(manager, session, readOnly), /Server Action or Route Handler/);
    assert.deepEqual(writes, []);
  });

  it('the header transport is refused with a clear error; recordClient records the User-Agent', async () => {
    const header = createSessionManager<Data>({ secrets: SECRET, transport: { header: {} } });
    await assert.rejects(saveSession(header, await getSession(header, new Headers()), actionCookies().jar), { code: 'ERR_SESSION_CONFIG', message: /header transport/ });
    const manager = createSessionManager<Data>({ secrets: SECRET, store: new MemoryStore() });
    const session = await getSession(manager, new Headers({ 'user-agent': 'Trial/1.0' }), { recordClient: true });
    session.set('userId', 'ada');
    await saveSession(manager, session, actionCookies().jar);
    const [device] = await manager.listSessions('ada');
    assert.equal(device?.userAgent, 'Trial/1.0');
  });

  it('a store that fails: getSession and saveSession reject with ERR_SESSION_STORE', async () => {
    const store = new MemoryStore();
    const manager = createSessionManager<Data>({ secrets: SECRET, store });
    const s = await getSession(manager, new Headers());
    s.set('n', 1);
    const first = actionCookies();
    await saveSession(manager, s, first.jar);
    const cookie = first.setCookie()[0]!.split(';')[0]!;
    const session = await getSession(manager, new Headers({ cookie }));
    store.get = () => Promise.reject(new Error('down')) as unknown as string;
    store.setIf = () => Promise.reject(new Error('down'));
    await assert.rejects(getSession(manager, new Headers({ cookie })), { code: 'ERR_SESSION_STORE' });
    session.set('n', 2);
    await assert.rejects(saveSession(manager, session, actionCookies().jar), { code: 'ERR_SESSION_STORE' });
  });
});
