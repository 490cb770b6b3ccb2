import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../testing/fake-clock.js';
import { isSessionError } from '../errors.js';
import type { SessionEvent } from '../events.js';
import { createSessionManager } from '../manager.js';
import { MemoryStore } from '../memory-store.js';
import type { ManagerOptions } from '../options.js';

const SECRET = 'session-limit-test-secret-0123456789abcdef';
const cookieOf = (setCookie: string[]): string => setCookie.find((c) => !c.includes('Max-Age=0'))!.split(';')[0]!;

function limited(max: number) {
  const clock = new FakeClock();
  const events: SessionEvent[] = [];
  const manager = createSessionManager({ secrets: SECRET, clock, maxSessionsPerUser: max, onEvent: (e) => events.push(e) });
  /** A login from a new device: regenerate, then the user. */
  const login = async (user: string, cookie?: string): Promise<string> => {
    const s = await manager.load(cookie);
    s.regenerate();
    s.set('userId', user);
    return cookieOf((await manager.commit(s)).setCookie);
  };
  const user = async (cookie: string): Promise<unknown> => (await manager.load(cookie)).get('userId');
  return { clock, events, manager, login, user };
}

describe('ASVS 7.1.2 maxSessionsPerUser', () => {
  it('ASVS 7.1.2 a login past the limit ends the least recently used of the user\'s other sessions, and only that', async () => {
    const { clock, events, manager, login, user } = limited(2);
    const phone = await login('ada');
    clock.advance(10);
    const laptop = await login('ada');
    clock.advance(120);
    // The phone is used again: now the laptop is the least recently used.
    const use = await manager.load(phone);
    use.touch();
    await manager.commit(use);
    const other = await login('bob');
    clock.advance(10);
    const tablet = await login('ada');
    assert.equal(await user(laptop), undefined, 'the least recently used ended');
    assert.deepEqual([await user(phone), await user(tablet), await user(other)], ['ada', 'ada', 'bob']);
    assert.equal((await manager.listSessions('ada')).length, 2);
    assert.equal(events.filter((e) => e.type === 'evicted').length, 1);
  });

  it('ASVS 7.1.2 a session that becomes the user\'s without regenerate() counts too; anonymous sessions and other writes do not', async () => {
    const { clock, manager, login, user } = limited(1);
    const first = await login('ada');
    clock.advance(10);
    const anonymous = await manager.load(undefined);
    anonymous.set('cart', ['tea']);
    const visitor = cookieOf((await manager.commit(anonymous)).setCookie);
    assert.equal(await user(first), 'ada', 'an anonymous session is no login');
    const again = await manager.load(first);
    again.set('theme', 'dark');
    await manager.commit(again);
    assert.equal(await user(first), 'ada', 'a write of the same user is no login');
    clock.advance(10);
    const upgrade = await manager.load(visitor);
    upgrade.set('userId', 'ada');
    await manager.commit(upgrade);
    assert.equal(await user(first), undefined);
    assert.equal(await user(visitor), 'ada');
  });

  it('ASVS 7.1.2 two logins racing with a limit of 1 never end each other', async () => {
    for (let trial = 0; trial < 50; trial++) {
      const { clock, login, user, manager } = limited(1);
      const [a, b] = await Promise.all([login(`u${trial}`), login(`u${trial}`)]);
      const alive = [await user(a), await user(b)].filter((u) => u !== undefined);
      assert.ok(alive.length >= 1, `trial ${trial}: at least one login survives`);
      clock.advance(1);
      await login(`u${trial}`);
      assert.equal((await manager.listSessions(`u${trial}`)).length, 1, 'the next login restores the limit');
    }
  });

  it('ASVS 7.1.2 a double-clicked login counts once: with a limit of 2 it ends one other device, not two, and neither twin', async () => {
    const { clock, manager, login, user } = limited(2);
    const phone = await login('ada');
    clock.advance(10);
    const laptop = await login('ada');
    clock.advance(10);
    const anonymous = await manager.load(undefined);
    anonymous.set('csrf', 'x');
    const browser = cookieOf((await manager.commit(anonymous)).setCookie);
    clock.advance(10);
    const twins = await Promise.all([login('ada', browser), login('ada', browser)]);
    assert.deepEqual([await user(phone), await user(laptop)], [undefined, 'ada'], 'the least recently used device ended, the other stays');
    assert.deepEqual([await user(twins[0]), await user(twins[1])], ['ada', 'ada'], 'whichever cookie the browser kept works');
  });

  it('ASVS 7.1.2 the evicted event names the user, so other instances can refuse cookie-cache copies at once (revalidate)', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ clock });
    const evictedAt = new Map<string, number>(); // what a pub/sub message would carry to the other instances
    const onEvent = (e: SessionEvent) => void (e.type === 'evicted' && e.userId !== undefined && evictedAt.set(e.userId, e.at));
    const instance = () =>
      createSessionManager({ secrets: SECRET, store, clock, maxSessionsPerUser: 1, onEvent, cookieCache: { maxAge: 60, revalidate: (u, at) => at > (evictedAt.get(u) ?? 0) } });
    const [a, b] = [instance(), instance()];
    const loginOn = async (manager: typeof a): Promise<string> => {
      const s = await manager.load(undefined);
      s.regenerate();
      s.set('userId', 'ada');
      return (await manager.commit(s)).setCookie.filter((c) => !c.includes('Max-Age=0')).map((c) => c.split(';')[0]!).join('; ');
    };
    const phone = await loginOn(b);
    assert.match(phone, /-cache=/);
    clock.advance(5);
    await loginOn(a);
    assert.deepEqual([...evictedAt.keys()], ['ada']);
    assert.equal((await b.load(phone)).get('userId'), undefined, 'instance b no longer serves the evicted phone from its cache');
  });

  it('refused where it cannot work: cookie mode, a store without a per-user index, a limit that is no whole number of at least 1', () => {
    const config = (options: Partial<ManagerOptions>) => () => createSessionManager({ secrets: SECRET, ...options } as ManagerOptions);
    const isConfig = (e: unknown) => isSessionError(e, 'ERR_SESSION_CONFIG');
    assert.throws(config({ mode: 'cookie', maxSessionsPerUser: 2 } as never), isConfig);
    const bare = { get: () => undefined, set: async () => {}, delete: async () => {} };
    assert.throws(config({ store: bare, maxSessionsPerUser: 2 }), /per-user index/);
    for (const bad of [0, 1.5, -1, '2', Infinity]) assert.throws(config({ maxSessionsPerUser: bad as number }), isConfig);
    assert.doesNotThrow(config({ store: new MemoryStore(), maxSessionsPerUser: 1 }));
  });
});
