import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../testing/fake-clock.js';
import { createSessionManager } from './manager.js';
import { sessionProtocol } from './protocol.js';
import { MemoryStore } from './memory-store.js';
import { hashStoreKey } from './crypto/random.js';
import type { SessionEvent } from './events.js';
import { SessionError } from './errors.js';

const SECRET = 'session-test-secret-0123456789abcdefghij';

function setup() {
  const clock = new FakeClock();
  const store = new MemoryStore({ clock });
  const events: SessionEvent[] = [];
  const manager = createSessionManager({ secrets: SECRET, store, clock, onEvent: (e) => events.push(e) });
  const cookieOf = (setCookie: string[]) => setCookie[0]!.split(';')[0]!;
  return { clock, store, manager, events, cookieOf };
}

describe('Session', () => {
  it('is Map-like: get, set, has, delete, take, clear, keys', async () => {
    const { manager } = setup();
    const s = await manager.load(undefined);
    assert.equal(s.get('a'), undefined);
    s.set('a', 1);
    s.set('b', { nested: [1, 2] });
    assert.equal(s.has('a'), true);
    assert.deepEqual(s.keys(), ['a', 'b']);
    assert.equal(s.take('a'), 1);
    assert.equal(s.has('a'), false);
    s.set('c', undefined);
    assert.equal(s.has('c'), false, 'setting undefined deletes');
    s.clear();
    assert.deepEqual(s.keys(), []);
    assert.equal(s.status, 'modified');
  });

  it('update() computes from the current value', async () => {
    const { manager } = setup();
    const s = await manager.load(undefined);
    assert.equal(s.update('n', (n) => ((n as number | undefined) ?? 0) + 1), 1);
    assert.equal(s.update('n', (n) => (n as number) + 1), 2);
  });

  it('nested in-place changes are detected at commit by comparing encodings', async () => {
    const { manager, cookieOf } = setup();
    const s = await manager.load(undefined);
    s.set('cart', ['apple']);
    const cookie = cookieOf((await manager.commit(s)).setCookie);
    const again = await manager.load(cookie);
    (again.get('cart') as string[]).push('pear');
    await manager.commit(again);
    assert.deepEqual((await manager.load(cookie)).get('cart'), ['apple', 'pear']);
  });

  it('reads do not write; an unchanged loaded session commits nothing', async () => {
    const { manager, cookieOf } = setup();
    const s = await manager.load(undefined);
    s.set('a', { b: 1 });
    const cookie = cookieOf((await manager.commit(s)).setCookie);
    const loaded = await manager.load(cookie);
    loaded.get('a');
    const prepared = sessionProtocol(manager).prepare(loaded);
    assert.equal(prepared.pending, false);
    assert.deepEqual(prepared.headers, []);
  });

  it('data set after destroy() starts a new session under a new ID (a flash after logout)', async () => {
    const { manager, store, cookieOf } = setup();
    const s = await manager.load(undefined);
    s.set('userId', 'u1');
    const cookie = cookieOf((await manager.commit(s)).setCookie);
    const loaded = await manager.load(cookie);
    const oldId = loaded.id;
    loaded.destroy();
    loaded.set('flash', 'bye');
    const { setCookie } = await manager.commit(loaded);
    assert.notEqual(loaded.id, oldId);
    assert.equal(await store.get(hashStoreKey(oldId)), undefined);
    const next = await manager.load(cookieOf(setCookie));
    assert.deepEqual(next.toJSON(), { flash: 'bye' });
  });

  it('E prototype poisoning in stored data stays plain data', async () => {
    const { manager, store, cookieOf } = setup();
    const s = await manager.load(undefined);
    s.set('x', 1);
    const cookie = cookieOf((await manager.commit(s)).setCookie);
    const key = hashStoreKey(s.id);
    const record = JSON.parse((await store.get(key))!);
    record.d = JSON.parse('{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}},"save":"x","regenerate":1}');
    await store.set(key, JSON.stringify(record), Date.now() + 3_600_000 * 1000);
    const loaded = await manager.load(cookie);
    assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
    assert.equal(loaded.get('isAdmin'), undefined);
    assert.deepEqual(loaded.get('__proto__'), { isAdmin: true });
    assert.equal(typeof loaded.regenerate, 'function');
    assert.equal(loaded.get('regenerate'), 1);
  });

  it('K corrupt records (not JSON, wrong shape, arrays, numbers, deep nesting) give a fresh session and are deleted', async () => {
    const { manager, store, events, cookieOf } = setup();
    const bad = ['not json', '42', '[1,2]', '{"v":2,"c":1,"s":1,"d":{}}', '{"v":1,"c":"x","s":1,"d":{}}', '{"v":1,"c":1,"s":1,"d":[]}', `{"v":1,"c":1,"s":1,"d":${'['.repeat(10000)}${']'.repeat(10000)}}`];
    for (const value of bad) {
      const s = await manager.load(undefined);
      s.set('x', 1);
      const cookie = cookieOf((await manager.commit(s)).setCookie);
      await store.set(hashStoreKey(s.id), value, Date.now() * 2);
      const loaded = await manager.load(cookie);
      assert.equal(loaded.isNew, true, value.slice(0, 30));
      await manager.commit(loaded);
      assert.equal(await store.get(hashStoreKey(s.id)), undefined, 'the corrupt record is deleted');
    }
    assert.equal(events.filter((e) => e.type === 'corrupt').length, bad.length);
  });

  it('SM-33 events carry a hash of the ID, never the ID', async () => {
    const { manager, events, cookieOf, clock } = setup();
    const s = await manager.load(undefined);
    s.set('x', 1);
    const cookie = cookieOf((await manager.commit(s)).setCookie);
    const loaded = await manager.load(cookie);
    loaded.regenerate();
    await manager.commit(loaded);
    loaded.destroy();
    await manager.commit(loaded);
    await manager.load(cookie);
    clock.advance(1);
    assert.ok(events.length >= 4);
    const text = JSON.stringify(events);
    assert.ok(!text.includes(s.id));
    for (const e of events) if (e.idHash) assert.match(e.idHash, /^[A-Za-z0-9_-]{16}$/);
  });

  it('commit refuses records over maxRecordBytes with ERR_SESSION_TOO_LARGE', async () => {
    const manager = createSessionManager({ secrets: SECRET, maxRecordBytes: 2048 });
    const s = await manager.load(undefined);
    s.set('big', 'x'.repeat(5000));
    await assert.rejects(manager.commit(s), (e: Error & { code?: string }) => e.code === 'ERR_SESSION_TOO_LARGE');
  });

  it('SM-22 configuration: sessions must expire; bad durations say what is wrong', () => {
    assert.throws(() => createSessionManager({ secrets: SECRET, lifetime: Infinity, idleTimeout: Infinity }), /every session must expire/);
    assert.throws(() => createSessionManager({ secrets: SECRET, lifetime: -1 }), /lifetime must be a positive number of seconds/);
    assert.throws(() => createSessionManager({ secrets: SECRET, idleTimeout: 60, touchAfter: 60 }), /touchAfter \(60s\) must be shorter than idleTimeout/);
    assert.throws(() => createSessionManager({ secrets: SECRET, renewAfter: 5 }), /renewGrace \(10s\) must be shorter than renewAfter \(5s\)/);
    assert.throws(() => createSessionManager({ secrets: SECRET, lifetime: 12, renewAfter: 900 }), /renewAfter \(900s\) must be shorter than lifetime \(12s\)/);
    assert.throws(() => createSessionManager({ secrets: 'short' }), /at least 32 bytes/);
  });

  it("refuses express-session's top-level options left in place, saying what to use", () => {
    const refused = (extra: Record<string, unknown>, pattern: RegExp) =>
      assert.throws(() => createSessionManager({ secrets: SECRET, ...extra }), (e: unknown) => e instanceof SessionError && e.code === 'ERR_SESSION_CONFIG' && pattern.test(e.message));
    refused({ secret: 'keyboard cat' }, /^secret is an express-session option, not a tessera one: pass secrets/);
    refused({ name: 'connect.sid' }, /^name is an express-session option.*cookie\.name/);
    refused({ resave: false }, /^resave .*written only when it changed/);
    refused({ saveUninitialized: false }, /^saveUninitialized .*never stored/);
    refused({ rolling: true }, /^rolling .*touchAfter/);
    refused({ genid: () => 'x' }, /^genid /);
    refused({ unset: 'destroy' }, /^unset .*destroy\(\)/);
    refused({ proxy: true }, /^proxy .*cookie\.secure: true/);
    refused({ mode: 'cookie', resave: false }, /^resave /);
    // Without secrets too: the rename is the message, not "secrets is required".
    assert.throws(() => createSessionManager({ secret: 'keyboard cat' } as never), (e: unknown) => e instanceof SessionError && /^secret is an express-session option/.test(e.message));
  });
});

describe('MemoryStore bounds', () => {
  it('S-14 keeps at most maxEntries, evicting the least recently used', async () => {
    const store = new MemoryStore({ maxEntries: 100 });
    const far = Date.now() + 3_600_000;
    for (let i = 0; i < 1000; i++) await store.set(`k${i}`, 'v', far);
    assert.equal(store.size, 100);
    assert.equal(await store.get('k899'), undefined);
    assert.equal(await store.get('k900'), 'v');
    await store.get('k900');
    await store.set('new', 'v', far);
    assert.equal(await store.get('k900'), 'v', 'a recently read entry survives');
    assert.equal(await store.get('k901'), undefined, 'the least recently used went');
  });

  it('sweeps expired entries on an unref\'d timer and stops on close', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ clock, sweepInterval: 60 });
    await store.set('a', 'v', clock.now() + 1000);
    clock.advance(2);
    assert.equal(await store.deleteExpired(), 1);
    await store.close();
  });
});

describe('commit failures carry their true code', () => {
  it('regenerate() starts a new absolute lifetime: an anonymous visit before the login does not shorten it, in both modes', async () => {
    for (const mode of ['store', 'cookie'] as const) {
      const clock = new FakeClock();
      const manager = createSessionManager(mode === 'store' ? { secrets: SECRET, clock, lifetime: 12, idleTimeout: 10 } : { secrets: SECRET, clock, lifetime: 12, idleTimeout: 10, mode });
      const cookieOf = (setCookie: string[]): string => setCookie[0]!.split(';')[0]!;
      const visit = await manager.load(undefined);
      visit.set('csrf', 'token');
      const anonymous = cookieOf((await manager.commit(visit)).setCookie);
      clock.advance(8);
      const login = await manager.load(anonymous);
      login.regenerate();
      login.set('userId', 'ada');
      assert.equal(login.createdAt, clock.now(), mode);
      let cookie = cookieOf((await manager.commit(login)).setCookie);
      for (const step of [5, 5]) {
        clock.advance(step); // 13 s and 18 s after the first visit, 5 and 10 s after the login
        const later = await manager.load(cookie);
        assert.equal(later.get('userId'), 'ada', `${mode}: alive ${step} s later`);
        later.touch();
        const { setCookie } = await manager.commit(later);
        if (setCookie.length > 0) cookie = cookieOf(setCookie);
      }
      clock.advance(3); // 13 s after the login
      assert.equal((await manager.load(cookie)).get('userId'), undefined, `${mode}: ended 12 s after the login`);
    }
  });

  it('data that cannot be encoded: ERR_SESSION_INTERNAL with the TypeError as cause, in both modes', async () => {
    for (const manager of [createSessionManager({ secrets: SECRET }), createSessionManager({ mode: 'cookie', secrets: SECRET })]) {
      const session = await manager.load(undefined);
      session.set('n', 10n as unknown as string);
      await assert.rejects(manager.commit(session), (e: unknown) => e instanceof SessionError && e.code === 'ERR_SESSION_INTERNAL' && e.cause instanceof TypeError);
    }
  });
});

describe('the recorded client', () => {
  it('keeps a user agent to its first 512 characters, whatever the adapter passed (one owner for every adapter)', async () => {
    const manager = createSessionManager({ secrets: SECRET, store: new MemoryStore() });
    const protocol = sessionProtocol(manager);
    const long = await protocol.load(undefined, { userAgent: 'A'.repeat(2000), ip: '192.0.2.7' });
    long.set('userId', 'ada');
    await protocol.prepare(long).run();
    const short = await protocol.load(undefined, { userAgent: 'short/1' });
    short.set('userId', 'ada');
    await protocol.prepare(short).run();
    const agents = (await manager.listSessions('ada')).map((s) => [s.userAgent?.length, s.ip]).sort();
    assert.deepEqual(agents, [[512, '192.0.2.7'], [7, undefined]]);
  });
});
