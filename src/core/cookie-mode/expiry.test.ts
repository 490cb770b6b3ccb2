import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setup } from './test-setup.js';

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
