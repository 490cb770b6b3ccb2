// CC-14: docs/cookie-cache.md's "Telling the other instances": the `destroyed` and `evicted`
// events name the user once the record is gone from the store, so an instance that announces
// from onEvent never announces before the delete, and another instance's revalidate refuses the
// cached copies at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../testing/fake-clock.js';
import type { SessionEvent } from '../events.js';
import { hashStoreKey } from '../crypto/random.js';
import { createSessionManager } from '../manager.js';
import { MemoryStore } from '../memory-store.js';

const SECRET = 'announce-test-secret-0123456789abcdefghij';
const pairOf = (setCookie: string[]): string => setCookie.filter((c) => !c.includes('Max-Age=0')).map((c) => c.split(';')[0]!).join('; ');

describe('CC-14 announcing a logout to the other instances', () => {
  it('CC-14 the destroyed event names the user once the record is gone; announced from onEvent, another instance refuses the cached copy at once', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ clock });
    const heardAt = new Map<string, number>(); // the other instances' side of a pub/sub channel
    const recordsAtAnnounce: Array<string | undefined> = [];
    let loggedOutKey = '';
    const onEvent = (e: SessionEvent): void => {
      if (e.type !== 'destroyed' || e.userId === undefined) return;
      recordsAtAnnounce.push(store.get(loggedOutKey));
      heardAt.set(e.userId, clock.now());
    };
    const instance = () => createSessionManager({ secrets: SECRET, store, clock, onEvent, cookieCache: { maxAge: 60, revalidate: (u, at) => at > (heardAt.get(u) ?? 0) } });
    const [a, b] = [instance(), instance()];
    const login = await b.load(undefined);
    login.regenerate();
    login.set('userId', 'ada');
    const cookies = pairOf((await b.commit(login)).setCookie);
    assert.match(cookies, /-cache=/);
    loggedOutKey = hashStoreKey(login.id);
    clock.advance(1);
    const logout = await a.load(cookies);
    logout.destroy();
    await a.commit(logout);
    assert.deepEqual(recordsAtAnnounce, [undefined], 'announced once, after the record was deleted');
    assert.equal((await b.load(cookies)).get('userId'), undefined, 'instance b refuses its cached copy');
  });

  it('CC-14 a logout of an anonymous session names no user', async () => {
    const events: SessionEvent[] = [];
    const manager = createSessionManager({ secrets: SECRET, onEvent: (e) => events.push(e) });
    const s = await manager.load(undefined);
    s.set('cart', ['tea']);
    const cookie = pairOf((await manager.commit(s)).setCookie);
    const logout = await manager.load(cookie);
    logout.destroy();
    await manager.commit(logout);
    const destroyed = events.find((e) => e.type === 'destroyed');
    assert.ok(destroyed !== undefined && destroyed.userId === undefined && destroyed.idHash !== undefined);
  });
});
