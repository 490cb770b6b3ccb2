import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FakeClock } from '../testing/fake-clock.js';
import { isSessionError } from './errors.js';
import { createSessionManager } from './manager.js';
import type { ManagerOptions } from './options.js';
import { MemoryStore } from './memory-store.js';
import { readTokenHeader, resolveTransport } from './transport.js';

const SECRET = 'transport-test-secret-0123456789abcdefghij';

describe('header transport: reading the token', () => {
  it('Authorization: Bearer, case-insensitive scheme, surrounding space ignored', () => {
    assert.deepEqual(readTokenHeader('Bearer abc.DEF_-1', true), ['abc.DEF_-1']);
    assert.deepEqual(readTokenHeader('  bearer   abc ', true), ['abc']);
    for (const bad of ['Basic abc', 'Bearer', 'Bearer a b', 'abc', 'Bearer a,b', 'Bearer a%20', '']) assert.deepEqual(readTokenHeader(bad, true), [], bad);
    assert.deepEqual(readTokenHeader(undefined, true), []);
  });

  it('a named header carries the bare token; a list of values (a repeated header) is no token', () => {
    assert.deepEqual(readTokenHeader(' abc.def ', false), ['abc.def']);
    assert.deepEqual(readTokenHeader('abc, def', false), []);
    assert.deepEqual(readTokenHeader('x'.repeat(20_000), false), []);
  });

  it('property: never throws, gives at most one token made of base64url and dots, and finds every such token', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.boolean(), (value, bearer) => {
        const tokens = readTokenHeader(value, bearer);
        assert.ok(tokens.length <= 1);
        for (const t of tokens) assert.match(t, /^[A-Za-z0-9_.-]+$/);
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_.-]{1,200}$/), (token) => {
        assert.deepEqual(readTokenHeader(`Bearer ${token}`, true), [token]);
        assert.deepEqual(readTokenHeader(token, false), [token]);
      }),
    );
  });

  it('configuration: header names are checked, Cookie and Set-Cookie refused', () => {
    assert.equal(resolveTransport(undefined).requestHeader, 'cookie');
    assert.equal(resolveTransport({ header: {} }).requestHeader, 'authorization');
    assert.equal(resolveTransport({ header: { request: 'X-Session-Token' } }).requestHeader, 'x-session-token');
    for (const bad of [{ header: { request: 'Cookie' } }, { header: { response: 'set-cookie' } }, { header: { request: 'a b' } }, { header: null }, 'header']) {
      assert.throws(() => resolveTransport(bad as never), (e: unknown) => isSessionError(e, 'ERR_SESSION_CONFIG'), JSON.stringify(bad));
    }
  });
});

const clock = new FakeClock();
const store = new MemoryStore({ clock });
const managerWith = (options: Partial<ManagerOptions>, transport: ManagerOptions['transport'] = { header: {} }) =>
  createSessionManager({ secrets: SECRET, clock, transport, ...options } as ManagerOptions);

for (const mode of ['store', 'cookie'] as const) {
  describe(`header transport in ${mode} mode`, () => {
    const options: Partial<ManagerOptions> = mode === 'store' ? { store } : { mode: 'cookie' };

    it('a new session gives its token in Session-Token (never a cookie), the token loads it back, destroy empties it', async () => {
      const manager = managerWith(options);
      const session = await manager.load(undefined);
      session.set('userId', 'u1');
      const created = await manager.commit(session);
      assert.deepEqual(created.setCookie, []);
      const token = created.headers.find(([n]) => n === 'session-token')?.[1];
      assert.ok(token !== undefined && token.length > 40);
      assert.deepEqual(created.headers.find(([n]) => n === 'cache-control'), ['cache-control', 'no-store']);

      const again = await manager.load(`Bearer ${token}`);
      assert.equal(again.get('userId'), 'u1');
      assert.deepEqual((await manager.commit(again)).headers, [], 'a read sends no token');

      again.regenerate();
      const renewed = (await manager.commit(again)).headers.find(([n]) => n === 'session-token')?.[1];
      assert.ok(renewed !== undefined && renewed !== token, 'regenerate gives a new token');
      assert.equal((await manager.load(`Bearer ${renewed}`)).get('userId'), 'u1');

      const last = await manager.load(`Bearer ${renewed}`);
      last.destroy();
      assert.deepEqual((await manager.commit(last)).headers, [['session-token', ''], ['cache-control', 'no-store']]);
      if (mode === 'store') assert.equal((await manager.load(`Bearer ${renewed}`)).isNew, true, 'the destroyed token is dead');
    });

    it('a forged token gives a fresh session and tells the client to drop it', async () => {
      const manager = managerWith(options);
      const session = await manager.load(`Bearer ${'A'.repeat(43)}.${'B'.repeat(43)}`);
      assert.equal(session.isNew, true);
      assert.deepEqual((await manager.commit(session)).headers, [['session-token', ''], ['cache-control', 'no-store']]);
    });

    it('a Cookie header is not a token', async () => {
      const cookieManager = managerWith(options, 'cookie');
      const s = await cookieManager.load(undefined);
      s.set('x', 1);
      const cookie = (await cookieManager.commit(s)).setCookie[0]!.split(';')[0]!;
      const manager = managerWith(options);
      assert.equal((await manager.load(cookie)).get('x'), undefined);
      assert.equal((await manager.load(`Bearer ${cookie.slice(cookie.indexOf('=') + 1)}`)).get('x'), 1, 'the same token in the header works');
    });
  });
}
