// Regressions found in review of the one-engine rewrite: each case behaved differently from 0.1.0.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../testing/fake-clock.js';
import { isSessionError } from './errors.js';
import type { SessionEvent } from './events.js';
import { createSessionManager } from './manager.js';
import { MemoryStore } from './memory-store.js';
import { sessionProtocol } from './protocol.js';

const SECRET = 'rewrite-regression-secret-0123456789abcdef';
const cookieOf = (setCookie: string[]): string => setCookie[0]!.split(';')[0]!;

/** A MemoryStore whose next `setIf` fails once. */
class FlakyOnce extends MemoryStore {
  failNext = false;
  override setIf(...args: Parameters<MemoryStore['setIf']>): Promise<boolean> {
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('connection reset'));
    }
    return super.setIf(...args);
  }
}

function renewal() {
  const clock = new FakeClock();
  const store = new FlakyOnce({ clock });
  const events: string[] = [];
  const manager = createSessionManager({ secrets: SECRET, store, clock, renewAfter: 60, renewGrace: 10, onEvent: (e: SessionEvent) => events.push(e.type) });
  return { clock, store, events, manager };
}

describe('one-engine rewrite regressions', () => {
  it('a renewal retried after a failed write keeps the old ID working through its grace window', async () => {
    const { clock, store, events, manager } = renewal();
    const s = await manager.load(undefined);
    s.set('user', 'u1');
    const old = cookieOf((await manager.commit(s)).setCookie);
    clock.advance(61);
    const due = await manager.load(old);
    store.failNext = true;
    await assert.rejects(manager.commit(due), (e: unknown) => isSessionError(e, 'ERR_SESSION_STORE'));
    events.length = 0;
    const renewed = cookieOf((await manager.commit(due)).setCookie);
    assert.deepEqual(events, ['renewed']);
    clock.advance(1);
    assert.equal((await manager.load(old)).get('user'), 'u1', 'the old cookie still reaches the session');
    assert.equal((await manager.load(renewed)).get('user'), 'u1');
  });

  it('regenerate() after a failed renewal is a regenerate: the old ID dies at once', async () => {
    const { clock, store, events, manager } = renewal();
    const s = await manager.load(undefined);
    s.set('cart', 1);
    const old = cookieOf((await manager.commit(s)).setCookie);
    clock.advance(61);
    const due = await manager.load(old);
    store.failNext = true;
    await assert.rejects(manager.commit(due));
    due.regenerate();
    due.set('userId', 'u1');
    events.length = 0;
    const fresh = cookieOf((await manager.commit(due)).setCookie);
    assert.deepEqual(events, ['regenerated']);
    assert.equal((await manager.load(old)).isNew, true, 'the pre-login ID is dead');
    assert.deepEqual((await manager.load(fresh)).toJSON(), { cart: 1, userId: 'u1' });
  });

  for (const mode of ['store', 'cookie'] as const) {
    const make = () => createSessionManager(mode === 'cookie' ? { mode, secrets: SECRET } : { secrets: SECRET });

    it(`${mode} mode: a commit that finds nothing changed leaves the status 'unchanged'`, async () => {
      const manager = make();
      const s = await manager.load(undefined);
      s.set('a', 1);
      const loaded = await manager.load(cookieOf((await manager.commit(s)).setCookie));
      loaded.set('a', 1);
      assert.equal(loaded.status, 'modified');
      assert.deepEqual(await manager.commit(loaded), { setCookie: [], headers: [] });
      assert.equal(loaded.status, 'unchanged');
    });

    it(`${mode} mode: a session destroyed before it was ever stored is a blank new session after the commit`, async () => {
      const manager = make();
      const s = await manager.load(undefined);
      s.destroy();
      await manager.commit(s);
      assert.equal(s.status, 'unchanged');
      assert.equal(s.isNew, true);
    });

    it(`${mode} mode: a session of another manager is refused by a rejection, never a synchronous throw`, async () => {
      const foreign = await make().load(undefined);
      const manager = make();
      const refused = (e: unknown) => isSessionError(e, 'ERR_SESSION_NOT_LOADED');
      await assert.rejects(manager.listSessions('u', foreign), (e: unknown) => refused(e) || isSessionError(e, 'ERR_SESSION_UNSUPPORTED'));
      await assert.rejects(manager.revokeSessions('u', { except: foreign }), (e: unknown) => refused(e) || isSessionError(e, 'ERR_SESSION_UNSUPPORTED'));
      await assert.rejects(manager.commit(foreign), refused);
    });
  }

  it('an unsaved session draws its ID when first needed, and keeps it', async () => {
    const manager = createSessionManager({ secrets: SECRET });
    const s = await manager.load(undefined);
    const id = s.id;
    assert.match(id, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(s.id, id);
    s.set('a', 1);
    const cookie = cookieOf((await manager.commit(s)).setCookie);
    assert.ok(cookie.includes(`=${id}.`), 'the cookie names the ID that was read');
  });

  it('sealed mode: revokeSessions({ except }) after the headers left is reported at commit, as before', async () => {
    const clock = new FakeClock();
    const manager = createSessionManager({ mode: 'cookie', secrets: SECRET, clock, revocationStore: new MemoryStore({ clock }) });
    const protocol = sessionProtocol(manager);
    const s = await manager.load(undefined);
    s.set('userId', 'u1');
    s.set('prefs', { theme: 'dark' });
    const loaded = await manager.load(cookieOf((await manager.commit(s)).setCookie));
    loaded.get('prefs');
    protocol.sent(loaded, protocol.prepare(loaded, { streaming: true }));
    clock.advance(5);
    await manager.revokeSessions('u1', { except: loaded });
    assert.throws(() => protocol.prepare(loaded), (e: unknown) => isSessionError(e, 'ERR_SESSION_HEADERS_SENT'));
  });
});
