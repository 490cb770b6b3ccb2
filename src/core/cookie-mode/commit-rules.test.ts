import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStore } from '../memory-store.js';
import { createSessionManager } from '../manager.js';
import type { CookieModeOptions } from '../options.js';
import { isSessionError } from '../errors.js';
import { NAME, SECRET, setup } from './test-setup.js';

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
