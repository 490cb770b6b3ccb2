import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../testing/fake-clock.js';
import { MemoryStore } from '../memory-store.js';
import { createSessionManager } from '../manager.js';
import type { SessionManager } from '../manager.js';
import { isSessionError } from '../errors.js';
import { Jar, SECRET, setup } from './test-setup.js';

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
