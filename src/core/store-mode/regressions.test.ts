// Regressions found in review: each case once lost a session or a write.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../testing/fake-clock.js';
import { createSessionManager } from '../manager.js';
import { MemoryStore } from '../memory-store.js';
import type { SessionEvent } from '../events.js';
import type { SessionStore } from '../store.js';

const SECRET = 'regression-test-secret-0123456789abcdefgh';
const cookieOf = (setCookie: string[]): string => setCookie[0]!.split(';')[0]!;

function renewing(extra: { persistent?: boolean } = {}) {
  const clock = new FakeClock();
  const store = new MemoryStore({ clock });
  const events: SessionEvent[] = [];
  const manager = createSessionManager({ secrets: SECRET, store, clock, renewAfter: 600, renewGrace: 10, idleTimeout: 3600, onEvent: (e) => events.push(e), ...extra });
  return { clock, store, events, manager };
}

/** A renewing manager with one session of alice's, committed, and its handle as listed now. */
async function aliceListed() {
  const { clock, manager } = renewing();
  const s = await manager.load(undefined);
  s.set('userId', 'alice');
  const cookie = cookieOf((await manager.commit(s)).setCookie);
  const [listed] = await manager.listSessions('alice');
  return { clock, manager, cookie, handle: listed!.handle };
}

describe('store mode regressions', () => {
  it('a renewing request that ends after the grace window never deletes the renewed session', async () => {
    const { clock, manager } = renewing();
    const s = await manager.load(undefined);
    s.set('userId', 'alice');
    const cookie = cookieOf((await manager.commit(s)).setCookie);
    clock.advance(601);
    const slow = await manager.load(cookie);
    const quick = await manager.load(cookie);
    const renewed = cookieOf((await manager.commit(quick)).setCookie);
    clock.advance(15);
    slow.set('upload', 'done');
    await manager.commit(slow);
    const after = await manager.load(renewed);
    assert.equal(after.isNew, false);
    assert.equal(after.get('userId'), 'alice');
    assert.equal(after.get('upload'), 'done', 'the slow request merged into the renewed record');
  });

  it('a remember-me request reaching the session through the old ID never re-sends the old ID', async () => {
    const { clock, manager } = renewing({ persistent: true });
    const s = await manager.load(undefined);
    s.set('userId', 'alice');
    const cookie = cookieOf((await manager.commit(s)).setCookie);
    clock.advance(601);
    const renewer = await manager.load(cookie);
    const renewed = cookieOf((await manager.commit(renewer)).setCookie);
    const xhr = await manager.load(cookie);
    xhr.set('seen', true);
    const { setCookie } = await manager.commit(xhr);
    assert.deepEqual(setCookie, [], 'no cookie for the old ID');
    clock.advance(11);
    assert.equal((await manager.load(renewed)).get('seen'), true);
  });

  it('revokeSessions({ except }) keeps the current session also when it came through a renewal forward', async () => {
    const { clock, manager } = renewing();
    const cookies: string[] = [];
    for (let i = 0; i < 2; i++) {
      const s = await manager.load(undefined);
      s.set('userId', 'alice');
      cookies.push(cookieOf((await manager.commit(s)).setCookie));
    }
    clock.advance(601);
    await manager.commit(await manager.load(cookies[0]));
    const current = await manager.load(cookies[0]);
    assert.equal((await manager.listSessions('alice', current)).filter((x) => x.current).length, 1);
    assert.equal(await manager.revokeSessions('alice', { except: current }), 1);
    assert.equal((await manager.load(cookies[0])).get('userId'), 'alice');
    assert.equal((await manager.load(cookies[1])).isNew, true);
  });

  it('SM-34 a handle listed before renewals still names the session after them, past the grace too; a regenerate gives a new one', async () => {
    const { clock, manager, cookie: first, handle } = await aliceListed();
    let cookie = first;
    for (let i = 0; i < 2; i++) {
      clock.advance(601);
      cookie = cookieOf((await manager.commit(await manager.load(cookie))).setCookie);
    }
    clock.advance(11); // both forwards have expired
    assert.deepEqual((await manager.listSessions('alice')).map((x) => x.handle), [handle]);
    const login = await manager.load(cookie);
    login.regenerate();
    const loggedIn = cookieOf((await manager.commit(login)).setCookie);
    const [after] = await manager.listSessions('alice');
    assert.notEqual(after!.handle, handle, 'a regenerate starts a new session, with a new handle');
    assert.equal(await manager.revokeSession('alice', handle), false);
    assert.equal(await manager.revokeSession('alice', after!.handle), true);
    assert.equal((await manager.load(loggedIn)).isNew, true, 'revoked');
  });

  it('SM-34 revokeSession with a handle listed before a renewal ends the renewed session, also within the grace window', async () => {
    const { clock, manager, cookie, handle } = await aliceListed();
    clock.advance(601);
    const renewed = cookieOf((await manager.commit(await manager.load(cookie))).setCookie);
    assert.equal(await manager.revokeSession('alice', handle), true);
    assert.equal((await manager.load(renewed)).isNew, true, 'the renewed ID no longer works');
    assert.equal((await manager.load(cookie)).isNew, true, 'nor the old one in its grace window');
    assert.deepEqual(await manager.listSessions('alice'), []);
  });

  it('SM-34 revokeSession ends no record its user index still lists for a user it no longer belongs to', async () => {
    // An index pruned lazily may list a record under a user it has left.
    class StaleIndex extends MemoryStore {
      override async listByUser(userId: string) {
        return userId === 'alice' ? [...(await super.listByUser('alice')), ...(await super.listByUser('bob'))] : super.listByUser(userId);
      }
    }
    const manager = createSessionManager({ secrets: SECRET, store: new StaleIndex() });
    const s = await manager.load(undefined);
    s.set('userId', 'bob');
    const cookie = cookieOf((await manager.commit(s)).setCookie);
    const [bobs] = await manager.listSessions('bob');
    assert.equal(await manager.revokeSession('alice', bobs!.handle), false);
    assert.equal((await manager.load(cookie)).get('userId'), 'bob');
  });

  it('SM-34 the handle survives a merge: two requests renewing at once, and a conflicting write after the renewal', async () => {
    for (const conflictAfter of [false, true]) {
      const { clock, manager, cookie, handle } = await aliceListed();
      clock.advance(601);
      const [a, b] = [await manager.load(cookie), await manager.load(cookie)];
      const renewed = cookieOf((await Promise.all([manager.commit(a), manager.commit(b)]))[0].setCookie);
      if (conflictAfter) {
        const [x, y] = [await manager.load(renewed), await manager.load(renewed)];
        x.set('a', 1);
        y.set('b', 2);
        await manager.commit(x);
        await manager.commit(y);
      }
      clock.advance(11);
      assert.deepEqual((await manager.listSessions('alice')).map((i) => i.handle), [handle], `conflictAfter: ${conflictAfter}`);
      assert.equal(await manager.revokeSession('alice', handle), true);
      assert.equal((await manager.load(renewed)).isNew, true);
    }
  });

  it('a session revoked or logged out after a renewal never comes back through a regenerate() that loaded it before the renewal', async () => {
    for (const end of ['revoke', 'logout'] as const) {
      const { clock, manager, cookie, handle } = await aliceListed();
      clock.advance(601);
      const stepUp = await manager.load(cookie); // in flight while the rest happens
      const renewed = cookieOf((await manager.commit(await manager.load(cookie))).setCookie);
      if (end === 'revoke') assert.equal(await manager.revokeSession('alice', handle), true);
      else {
        const logout = await manager.load(renewed);
        logout.destroy();
        await manager.commit(logout);
      }
      stepUp.regenerate();
      stepUp.set('elevated', true);
      const issued = (await manager.commit(stepUp)).setCookie.find((c) => !c.includes('Max-Age=0'));
      assert.equal(issued === undefined ? undefined : (await manager.load(issued.split(';')[0]!)).get('userId'), undefined, `${end}: it came back under a new ID`);
      assert.deepEqual(await manager.listSessions('alice'), []);
    }
  });

  it('a regenerate whose write fails leaves the old session as it was', async () => {
    const store = new MemoryStore();
    const manager = createSessionManager({ secrets: SECRET, store, maxRecordBytes: 4096 });
    const s = await manager.load(undefined);
    s.set('cart', 'x'.repeat(100));
    const cookie = cookieOf((await manager.commit(s)).setCookie);
    const login = await manager.load(cookie);
    login.regenerate();
    login.set('cart', 'x'.repeat(5000));
    await assert.rejects(manager.commit(login), (e: Error & { code?: string }) => e.code === 'ERR_SESSION_TOO_LARGE');
    assert.equal((await manager.load(cookie)).get('cart'), 'x'.repeat(100));
  });

  it('a key this request set is re-applied on every retry, even if another writer wrote the same value in between', async () => {
    const inner = new MemoryStore();
    const other = createSessionManager({ secrets: SECRET, store: inner });
    let injections: Array<() => Promise<void>> = [];
    const store: SessionStore = {
      get: (k) => inner.get(k),
      set: (k, v, e, m) => inner.set(k, v, e, m),
      delete: (k) => inner.delete(k),
      async setIf(k, v, e, p, m) {
        await injections.shift()?.();
        return inner.setIf(k, v, e, p, m);
      },
    };
    const manager = createSessionManager({ secrets: SECRET, store });
    const s = await manager.load(undefined);
    s.set('k', 0);
    const cookie = cookieOf((await manager.commit(s)).setCookie);
    const mine = await manager.load(cookie);
    mine.set('k', 1);
    const p2 = await other.load(cookie);
    const p3 = await other.load(cookie);
    injections = [
      async () => {
        p2.set('k', 1);
        p2.set('x', 1);
        await other.commit(p2);
      },
      async () => {
        p3.set('k', 2);
        p3.set('y', 1);
        await other.commit(p3);
      },
    ];
    await manager.commit(mine);
    assert.deepEqual((await manager.load(cookie)).toJSON(), { k: 1, x: 1, y: 1 });
  });

  it('regenerate resets the renewal clock: no second rotation right after login', async () => {
    const { clock, manager, events } = renewing();
    const s = await manager.load(undefined);
    s.set('n', 1);
    const cookie = cookieOf((await manager.commit(s)).setCookie);
    clock.advance(700);
    const login = await manager.load(cookie);
    login.regenerate();
    login.set('userId', 'alice');
    const after = cookieOf((await manager.commit(login)).setCookie);
    clock.advance(2);
    const next = await manager.load(after);
    next.set('x', 1);
    assert.deepEqual((await manager.commit(next)).setCookie, []);
    assert.equal(events.filter((e) => e.type === 'renewed').length, 0);
  });
});
