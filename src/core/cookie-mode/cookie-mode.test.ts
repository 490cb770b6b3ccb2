import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FakeClock } from '../../testing/fake-clock.js';
import { MemoryStore } from '../memory-store.js';
import { createSessionManager } from '../manager.js';
import { sessionProtocol } from '../protocol.js';
import type { SessionManager } from '../manager.js';
import type { CookieModeOptions } from '../options.js';
import { isSessionError } from '../errors.js';
import type { SessionEvent } from '../events.js';

const SECRET = 'cookie-mode-secret-0123456789abcdefghijkl';
const OLD_SECRET = 'cookie-mode-old-secret-0123456789abcdefgh';
const NAME = '__Host-sid';

/** A minimal cookie jar: applies Set-Cookie values (clears remove) and renders a Cookie header. */
class Jar {
  readonly cookies = new Map<string, string>();
  apply(setCookie: readonly string[]): void {
    for (const header of setCookie) {
      const pair = header.split(';')[0]!;
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      if (/Max-Age=0/.test(header)) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1));
    }
  }
  header(): string {
    return [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  }
  names(): string[] {
    return [...this.cookies.keys()].sort();
  }
}

function setup(extra: Partial<CookieModeOptions> | ((clock: FakeClock) => Partial<CookieModeOptions>) = {}) {
  const clock = new FakeClock();
  const events: SessionEvent[] = [];
  const more = typeof extra === 'function' ? extra(clock) : extra;
  const manager = createSessionManager({ mode: 'cookie', secrets: SECRET, clock, onEvent: (e) => events.push(e), ...more });
  const jar = new Jar();
  const request = async (fn: (s: Awaited<ReturnType<SessionManager['load']>>) => void = () => {}) => {
    const session = await manager.load(jar.header());
    fn(session);
    const { setCookie } = await manager.commit(session);
    jar.apply(setCookie);
    return { session, setCookie };
  };
  return { clock, events, manager, jar, request };
}

/** Random text that does not compress or shrink: the cookie grows with it. */
const noise = (chars: number): string => Buffer.from(Array.from({ length: Math.ceil((chars * 3) / 4) }, () => Math.floor(Math.random() * 256))).toString('base64').slice(0, chars);

describe('cookie mode: commit rules', () => {
  it('round trip: data set on one request is there on the next; same Session API', async () => {
    const { request } = setup();
    const first = await request((s) => {
      s.set('userId', 'alice');
      s.set('cart', [1, 2, 3]);
      s.update('views', (n) => ((n as number | undefined) ?? 0) + 1);
    });
    assert.equal(first.setCookie.length, 1);
    assert.match(first.setCookie[0]!, /^__Host-sid=[A-Za-z0-9_-]+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    const second = await request((s) => {
      assert.equal(s.isNew, false);
      assert.equal(s.id, first.session.id);
      assert.deepEqual(s.toJSON(), { userId: 'alice', cart: [1, 2, 3], views: 1 });
    });
    assert.deepEqual(second.setCookie, [], 'an unchanged session sends no cookie');
  });

  it('a new session that was never written sends nothing; a modified one is re-sealed', async () => {
    const { request } = setup();
    assert.deepEqual((await request((s) => void s.get('x'))).setCookie, []);
    await request((s) => s.set('n', 1));
    const changed = await request((s) => s.set('n', 2));
    assert.equal(changed.setCookie.length, 1);
    const same = await request((s) => s.set('n', 2));
    assert.deepEqual(same.setCookie, [], 'setting the same value is no change');
    await request((s) => assert.equal(s.get('n'), 2));
  });

  it('SM-04 the cookie is ciphertext: no plaintext data in it', async () => {
    const { request, jar } = setup();
    await request((s) => s.set('secretMarker', 'PLAINTEXT-MARKER-42'));
    const value = jar.cookies.get(NAME)!;
    assert.doesNotMatch(value, /PLAINTEXT|secretMarker/);
    assert.doesNotMatch(Buffer.from(value, 'base64url').toString('latin1'), /PLAINTEXT-MARKER|secretMarker|alice/);
  });

  it('SM-17 regenerate issues a new ID with the data kept', async () => {
    const { request, events } = setup();
    const first = await request((s) => s.set('views', 1));
    const login = await request((s) => {
      s.regenerate();
      s.set('userId', 'alice');
    });
    assert.notEqual(login.session.id, first.session.id);
    await request((s) => assert.deepEqual(s.toJSON(), { views: 1, userId: 'alice' }));
    assert.ok(events.some((e) => e.type === 'regenerated'));
  });

  it('destroy clears the cookie; data after destroy starts a new session', async () => {
    const { request, jar } = setup();
    await request((s) => s.set('userId', 'alice'));
    const logout = await request((s) => s.destroy());
    assert.match(logout.setCookie[0]!, /^__Host-sid=; Path=\/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax$/);
    assert.deepEqual(jar.names(), []);
    const flash = await request((s) => {
      s.destroy();
      s.set('flash', 'bye');
    });
    assert.equal(flash.setCookie.length, 1);
    await request((s) => assert.deepEqual(s.toJSON(), { flash: 'bye' }));
  });

  it('E prototype poisoning in session data stays plain data', async () => {
    const { request } = setup();
    await request((s) => s.set('__proto__' as string, { isAdmin: true }));
    await request((s) => {
      assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
      assert.equal(s.get('isAdmin'), undefined);
      assert.deepEqual(s.get('__proto__' as string), { isAdmin: true });
    });
  });

  it('configuration: store is refused in cookie mode, cookie-mode options in store mode, bad sizes', () => {
    const configError = (fn: () => unknown) => assert.throws(fn, (e: unknown) => isSessionError(e, 'ERR_SESSION_CONFIG'));
    configError(() => createSessionManager({ mode: 'cookie', secrets: SECRET, store: new MemoryStore() } as unknown as CookieModeOptions));
    configError(() => createSessionManager({ secrets: SECRET, maxCookieBytes: 8192 } as unknown as CookieModeOptions));
    configError(() => createSessionManager({ mode: 'cookie', secrets: SECRET, maxCookieBytes: 100 }));
    configError(() => createSessionManager({ mode: 'cookie', secrets: SECRET, maxCookieBytes: 10_000_000 }));
    configError(() => createSessionManager({ mode: 'cookie', secrets: 'short' }));
    configError(() => createSessionManager({ mode: 'bogus', secrets: SECRET } as unknown as CookieModeOptions));
    const manager = createSessionManager({ mode: 'cookie', secrets: SECRET });
    assert.equal('store' in manager, false, 'cookie mode has no session store to reach');
  });

  it('listSessions and revokeSession are unsupported; revokeSessions needs a revocationStore', async () => {
    const { manager } = setup();
    await assert.rejects(manager.listSessions('alice'), (e: unknown) => isSessionError(e, 'ERR_SESSION_UNSUPPORTED'));
    await assert.rejects(manager.revokeSession('alice', 'h'), (e: unknown) => isSessionError(e, 'ERR_SESSION_UNSUPPORTED'));
    await assert.rejects(manager.revokeSessions('alice'), (e: unknown) => isSessionError(e, 'ERR_SESSION_UNSUPPORTED'));
  });
});

describe('cookie mode: expiry', () => {
  it('SM-23 idle timeout: alive just before, fresh just after, and the cookie is cleared', async () => {
    const { request, clock, events } = setup({ idleTimeout: 600, touchAfter: 60 });
    await request((s) => s.set('userId', 'alice'));
    clock.advance(599);
    await request((s) => assert.equal(s.get('userId'), 'alice'));
    clock.advance(599);
    await request((s) => assert.equal(s.get('userId'), 'alice', 'the idle deadline slid'));
    clock.advance(601);
    const expired = await request((s) => assert.equal(s.get('userId'), undefined));
    assert.match(expired.setCookie[0] ?? '', /Max-Age=0/, 'SM-27 the expired cookie is cleared');
    assert.ok(events.some((e) => e.type === 'expired'));
  });

  it('SM-24 absolute timeout ends an active session', async () => {
    const { request, clock } = setup({ lifetime: 3600, idleTimeout: 600, touchAfter: 60 });
    await request((s) => s.set('userId', 'alice'));
    for (let i = 0; i < 11; i++) {
      clock.advance(300);
      await request((s) => assert.equal(s.get('userId'), 'alice'));
    }
    clock.advance(301);
    await request((s) => assert.equal(s.get('userId'), undefined));
  });

  it('touchAfter: re-seal only when the touch is due', async () => {
    const { request, clock } = setup({ idleTimeout: 1800, touchAfter: 60 });
    await request((s) => s.set('userId', 'alice'));
    for (let i = 0; i < 10; i++) {
      clock.advance(5);
      assert.deepEqual((await request()).setCookie, [], `no re-seal at ${(i + 1) * 5}s`);
    }
    clock.advance(15);
    assert.equal((await request()).setCookie.length, 1, 're-sealed once 60 s passed');
    assert.deepEqual((await request()).setCookie, []);
  });

  it('SM-25 a cookie replayed after expiry is rejected although the client still sends it', async () => {
    const { request, clock, jar, manager } = setup({ idleTimeout: 600, touchAfter: 60, persistent: true });
    await request((s) => s.set('userId', 'alice'));
    const captured = jar.header();
    clock.advance(601);
    const replay = await manager.load(captured);
    assert.equal(replay.isNew, true);
    assert.equal(replay.get('userId'), undefined);
  });

  it('9.2.1 a payload stamped in the future (beyond clock skew) is rejected', async () => {
    const ahead = setup();
    ahead.clock.advance(3600);
    await ahead.request((s) => s.set('userId', 'alice'));
    const now = setup();
    const session = await now.manager.load(ahead.jar.header());
    assert.equal(session.isNew, true);
  });

  it('SM-16 persistent sessions carry Max-Age as a hint, matching the sealed expiry', async () => {
    const { request } = setup({ idleTimeout: 600, touchAfter: 60, persistent: true });
    const first = await request((s) => s.set('a', 1));
    assert.match(first.setCookie[0]!, /; Max-Age=600; Expires=/);
  });
});

describe('cookie mode: key rotation', () => {
  it('11.2.2 a cookie sealed with an older key opens and is re-sealed with the current key on that response', async () => {
    const clock = new FakeClock();
    const old = createSessionManager({ mode: 'cookie', secrets: OLD_SECRET, clock });
    const rotated = createSessionManager({ mode: 'cookie', secrets: [SECRET, OLD_SECRET], clock });
    const current = createSessionManager({ mode: 'cookie', secrets: SECRET, clock });
    const s = await old.load(undefined);
    s.set('userId', 'bob');
    const oldCookie = (await old.commit(s)).setCookie[0]!.split(';')[0]!;
    const loaded = await rotated.load(oldCookie);
    assert.equal(loaded.get('userId'), 'bob');
    assert.equal(loaded.id, s.id, 'same session');
    const { setCookie } = await rotated.commit(loaded);
    assert.equal(setCookie.length, 1, 're-sealed although nothing changed');
    const resealed = setCookie[0]!.split(';')[0]!;
    assert.equal((await current.load(resealed)).get('userId'), 'bob');
    assert.equal((await current.load(oldCookie)).isNew, true, 'once the old key is removed, its cookies are rejected');
    const again = await rotated.load(resealed);
    assert.deepEqual((await rotated.commit(again)).setCookie, [], 'no further re-seal');
  });
});

describe('cookie mode: chunking and size limits', () => {
  for (const [chunks, dataChars] of [
    [1, 2000],
    [2, 5000],
    [5, 14000],
  ] as const) {
    it(`3.3.5 ${chunks} chunk(s): every cookie within 4096 bytes, read back in order`, async () => {
      const { request, jar } = setup({ maxCookieBytes: 32 * 1024 });
      const blob = noise(dataChars);
      const { setCookie } = await request((s) => s.set('blob', blob));
      assert.equal(setCookie.length, chunks);
      for (const header of setCookie) {
        const pair = header.split(';')[0]!;
        assert.ok(Buffer.byteLength(pair) - 1 <= 4096, `${pair.length} bytes`);
        assert.match(header, /; Path=\/; HttpOnly; Secure; SameSite=Lax$/, 'chunks keep the attributes, so the __Host- rules');
      }
      assert.deepEqual(jar.names(), chunks === 1 ? [NAME] : Array.from({ length: chunks }, (_, i) => `${NAME}.${i}`));
      await request((s) => assert.equal(s.get('blob'), blob));
    });
  }

  it('shrinking back: 5 chunks, then 2, then 1 cookie; the stale chunks are cleared', async () => {
    const { request, jar } = setup({ maxCookieBytes: 32 * 1024 });
    await request((s) => s.set('blob', noise(14000)));
    assert.equal(jar.names().length, 5);
    const two = await request((s) => s.set('blob', noise(5000)));
    assert.deepEqual(jar.names(), [`${NAME}.0`, `${NAME}.1`]);
    assert.equal(two.setCookie.filter((c) => /Max-Age=0/.test(c)).length, 3);
    const one = await request((s) => s.set('blob', 'small'));
    assert.deepEqual(jar.names(), [NAME]);
    assert.equal(one.setCookie.filter((c) => /Max-Age=0/.test(c)).length, 2);
    await request((s) => assert.equal(s.get('blob'), 'small'));
    const grow = await request((s) => s.set('blob', noise(5000)));
    assert.deepEqual(jar.names(), [`${NAME}.0`, `${NAME}.1`]);
    assert.ok(grow.setCookie.some((c) => c.startsWith(`${NAME}=;`)), 'the single cookie is cleared when chunks take over');
  });

  it('stale chunks next to a valid single cookie are cleared without losing the session', async () => {
    const { request, jar } = setup({ maxCookieBytes: 32 * 1024 });
    await request((s) => s.set('blob', 'small'));
    jar.cookies.set(`${NAME}.0`, '2.leftover');
    jar.cookies.set(`${NAME}.1`, 'leftover');
    const res = await request((s) => assert.equal(s.get('blob'), 'small'));
    assert.equal(res.setCookie.length, 2);
    assert.deepEqual(jar.names(), [NAME]);
  });

  it('missing, reordered, truncated, duplicated or extra chunks fail closed to a fresh session', async () => {
    const { request, jar, manager } = setup({ maxCookieBytes: 32 * 1024 });
    await request((s) => s.set('blob', noise(7000)));
    const parts = jar.names().map((n) => [n, jar.cookies.get(n)!] as const);
    assert.equal(parts.length, 3);
    const render = (list: ReadonlyArray<readonly [string, string]>) => list.map(([n, v]) => `${n}=${v}`).join('; ');
    const [c0, c1, c2] = parts as unknown as [readonly [string, string], readonly [string, string], readonly [string, string]];
    const variants = [
      render([c0, c1]),
      render([c0, c2]),
      render([c1, c2]),
      render([c0, [c1[0], c2[1]], [c2[0], c1[1]]]),
      render([c0, c1, [c2[0], c2[1].slice(0, -10)]]),
      render([[c0[0], c0[1].replace(/^3\./, '2.')], c1, c2]),
      render([[c0[0], c0[1].replace(/^3\./, '4.')], c1, c2, [`${NAME}.3`, 'AAAA']]),
      render([c0, c1, c2, c1]),
      render([c0, c1, c2, [NAME, c0[1]]]),
      render([[c0[0], c0[1] + c1[1] + c2[1]]]),
      render([[NAME, c0[1].slice(2) + c1[1] + c2[1]]]),
    ];
    for (const header of variants) {
      const session = await manager.load(header);
      assert.equal(session.isNew, true, header.slice(0, 80));
      const { setCookie } = await manager.commit(session);
      assert.ok(setCookie.length > 0 && setCookie.every((c) => /Max-Age=0/.test(c)), 'every session cookie sent is cleared');
    }
    assert.equal((await manager.load(render(parts))).get('blob')?.toString().length, 7000, 'the intact set still opens');
  });

  it('ERR_SESSION_COOKIE_TOO_LARGE from prepare(), before any header, instead of silent loss', async () => {
    const { manager, jar, request } = setup({ maxCookieBytes: 8192 });
    await request((s) => s.set('blob', noise(5000)));
    const session = await manager.load(jar.header());
    session.set('blob', noise(9000));
    assert.throws(
      () => sessionProtocol(manager).prepare(session),
      (e: unknown) => isSessionError(e, 'ERR_SESSION_COOKIE_TOO_LARGE') && /maxCookieBytes \(8192\)/.test((e as Error).message),
    );
    session.set('blob', 'fits again');
    assert.equal(sessionProtocol(manager).prepare(session).setCookie.length, 3, 'the session cookie plus two clears of the old chunks');
  });

  it('default limit: 8 192 bytes', async () => {
    const { request } = setup();
    await request((s) => s.set('blob', noise(5500)));
    await assert.rejects(
      request((s) => s.set('blob', noise(8200))),
      (e: unknown) => isSessionError(e, 'ERR_SESSION_COOKIE_TOO_LARGE'),
    );
  });
});

describe('cookie mode: revocation', () => {
  it('7.4.2 revokeSessions(userId): log out everywhere, noticed within revocationCheckAfter', async () => {
    const clock = new FakeClock();
    const revocationStore = new MemoryStore({ clock });
    const base = { mode: 'cookie' as const, secrets: SECRET, clock, revocationStore, revocationCheckAfter: 30, idleTimeout: 3600, touchAfter: 60 };
    const manager = createSessionManager(base);
    const laptop = new Jar();
    const phone = new Jar();
    const visit = async (jar: Jar, fn: (s: Awaited<ReturnType<SessionManager['load']>>) => void = () => {}) => {
      const s = await manager.load(jar.header());
      fn(s);
      jar.apply((await manager.commit(s)).setCookie);
      return s;
    };
    await visit(laptop, (s) => s.set('userId', 'alice'));
    await visit(phone, (s) => s.set('userId', 'alice'));
    clock.advance(1);
    await manager.revokeSessions('alice');
    assert.equal((await visit(laptop)).get('userId'), 'alice', 'within revocationCheckAfter the sealed session is still trusted');
    clock.advance(30);
    assert.equal((await visit(laptop)).get('userId'), undefined, 'checked after 30 s: revoked');
    assert.equal((await visit(phone)).get('userId'), undefined);
    assert.deepEqual(laptop.names(), [], 'and the cookie is cleared');
    await visit(laptop, (s) => {
      s.regenerate();
      s.set('userId', 'alice');
    });
    clock.advance(31);
    assert.equal((await visit(laptop)).get('userId'), 'alice', 'a login after the revocation is not affected');
  });

  it('7.4.3 revokeSessions(userId, { except }) keeps the current session', async () => {
    const clock = new FakeClock();
    const manager = createSessionManager({ mode: 'cookie', secrets: SECRET, clock, revocationStore: new MemoryStore({ clock }), revocationCheckAfter: 0 });
    const current = new Jar();
    const other = new Jar();
    for (const jar of [current, other]) {
      const s = await manager.load(undefined);
      s.set('userId', 'alice');
      jar.apply((await manager.commit(s)).setCookie);
    }
    clock.advance(5);
    const s = await manager.load(current.header());
    await manager.revokeSessions('alice', { except: s });
    const { setCookie } = await manager.commit(s);
    assert.equal(setCookie.length, 1, 'the kept session is re-sealed as issued after the revocation');
    current.apply(setCookie);
    clock.advance(1);
    assert.equal((await manager.load(current.header())).get('userId'), 'alice');
    assert.equal((await manager.load(other.header())).isNew, true);
  });

  it('7.4.1 CVE-2024-31999 destroy, then replay the old cookie: rejected once checked (revocationCheckAfter 0: at once)', async () => {
    const { request, jar, manager } = setup((clock) => ({ revocationStore: new MemoryStore({ clock }), revocationCheckAfter: 0 }));
    await request((s) => s.set('userId', 'alice'));
    const stolen = jar.header();
    await request((s) => s.destroy());
    const replay = await manager.load(stolen);
    assert.equal(replay.isNew, true);
    assert.equal(replay.get('userId'), undefined);
  });

  it('7.4.1 with the default interval, a replayed destroyed cookie dies at its next check', async () => {
    const { request, jar, manager, clock } = setup((c) => ({ revocationStore: new MemoryStore({ clock: c }), idleTimeout: 3600, touchAfter: 60 }));
    await request((s) => s.set('userId', 'alice'));
    const stolen = jar.header();
    await request((s) => s.destroy());
    assert.equal((await manager.load(stolen)).get('userId'), 'alice', 'the documented window: not checked yet');
    clock.advance(60);
    assert.equal((await manager.load(stolen)).isNew, true);
  });

  it('the check is throttled: at most one revocation-store read per revocationCheckAfter, recorded in the cookie', async () => {
    const reads: string[] = [];
    const { request, clock } = setup((c) => {
      const memory = new MemoryStore({ clock: c });
      const revocationStore = Object.assign(Object.create(memory) as MemoryStore, {
        get: (key: string) => {
          reads.push(key);
          return memory.get(key);
        },
      });
      return { revocationStore, revocationCheckAfter: 60, idleTimeout: 3600, touchAfter: 600 };
    });
    await request((s) => s.set('userId', 'alice'));
    for (let i = 0; i < 5; i++) {
      clock.advance(10);
      await request();
    }
    assert.equal(reads.length, 0);
    clock.advance(20);
    const checked = await request();
    assert.equal(reads.length, 2, 'one check: the user time and the session entry');
    assert.equal(checked.setCookie.length, 1, 'the check time is sealed into the cookie');
    clock.advance(10);
    await request();
    assert.equal(reads.length, 2);
  });

  it('16.5.3 a failing revocation store fails closed: load throws ERR_SESSION_STORE', async () => {
    const failing = Object.assign(Object.create(new MemoryStore()) as MemoryStore, { get: () => Promise.reject(new Error('down')) });
    const { request, manager, jar, clock } = setup({ revocationStore: failing, revocationCheckAfter: 10 });
    await request((s) => s.set('userId', 'alice'));
    clock.advance(11);
    await assert.rejects(manager.load(jar.header()), (e: unknown) => isSessionError(e, 'ERR_SESSION_STORE'));
  });
});

describe('cookie mode: fuzzing the cookie header', () => {
  it('S-4 arbitrary headers with session and chunk names never throw and never load a session', async () => {
    const { manager } = setup({ maxCookieBytes: 32 * 1024 });
    const name = fc.constantFrom(NAME, `${NAME}.0`, `${NAME}.1`, `${NAME}.2`, `${NAME}.9`, `${NAME}.`, '__host-sid', 'x');
    const value = fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('2.', '3.AAAA', '99.A', '1.A', '02.AB', ''));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(name, value), { maxLength: 8 }), async (pairs) => {
        const session = await manager.load(pairs.map(([n, v]) => `${n}=${v}`).join('; '));
        assert.equal(session.isNew, true);
        sessionProtocol(manager).prepare(session);
      }),
      { numRuns: 3000 },
    );
  });

  it('S-5 a mutated chunk in a 3-chunk set is never accepted', async () => {
    const { request, jar, manager } = setup({ maxCookieBytes: 32 * 1024 });
    await request((s) => s.set('blob', noise(7000)));
    const names = jar.names();
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(2), fc.nat(), fc.integer({ min: 0, max: 5 }), async (which, at, bit) => {
        const values = names.map((n) => jar.cookies.get(n)!);
        const target = values[which]!;
        const i = at % target.length;
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        const index = alphabet.indexOf(target[i]!);
        const replaced = index === -1 ? 'A' : alphabet[(index ^ (1 << bit)) % 64]!;
        if (replaced === target[i]) return;
        values[which] = target.slice(0, i) + replaced + target.slice(i + 1);
        const session = await manager.load(names.map((n, k) => `${n}=${values[k]}`).join('; '));
        if (!session.isNew) accepted++;
      }),
      { numRuns: 5000 },
    );
    assert.equal(accepted, 0);
  });
});
