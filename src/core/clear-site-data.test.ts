import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { clearSiteDataOf } from './clear-site-data.js';
import type { ClearSiteDataType } from './clear-site-data.js';
import { isSessionError } from './errors.js';
import { createSessionManager } from './manager.js';
import type { ManagerOptions } from './options.js';

const SECRET = 'clear-site-data-secret-0123456789abcdefgh';
const ALL = '"cache", "cookies", "storage"';
const headerOf = (headers: Array<[string, string]>): string | undefined => headers.find(([name]) => name === 'clear-site-data')?.[1];

async function loggedIn(extra: Partial<ManagerOptions> = {}) {
  const manager = createSessionManager({ secrets: SECRET, ...extra } as ManagerOptions);
  const s = await manager.load(undefined);
  s.set('userId', 'ada');
  const { headers } = await manager.commit(s);
  const token = headers.find(([name]) => name === 'set-cookie' || name === 'session-token')![1];
  const cookie = token.split(';')[0]!;
  return { manager, cookie, session: await manager.load(extra.transport ? undefined : cookie) };
}

describe('SM-30 destroy({ clearSiteData })', () => {
  for (const mode of ['store', 'cookie'] as const) {
    it(`SM-30 ${mode} mode: the logout response names cache, cookies and storage, beside the clearing cookie and no-store`, async () => {
      const { manager, session } = await loggedIn({ mode });
      session.destroy({ clearSiteData: true });
      const { headers, setCookie } = await manager.commit(session);
      assert.equal(headerOf(headers), ALL);
      assert.ok(setCookie.some((c) => c.includes('Max-Age=0')), 'the session cookie is cleared too');
      assert.ok(headers.some(([name, value]) => name === 'cache-control' && value === 'no-store'));
      assert.equal(headerOf((await manager.commit(session)).headers), undefined, 'sent once');
    });
  }

  it('SM-30 the kinds given, each once; none named sends no header; a plain destroy() sends none', async () => {
    const kinds: Array<[ClearSiteDataType[], string | undefined]> = [
      [['storage', 'cache', 'storage'], '"storage", "cache"'],
      [['executionContexts'], '"executionContexts"'],
      [[], undefined],
    ];
    for (const [given, expected] of kinds) {
      const { manager, session } = await loggedIn();
      session.destroy({ clearSiteData: given });
      assert.equal(headerOf((await manager.commit(session)).headers), expected);
    }
    for (const options of [undefined, { clearSiteData: false }, {}]) {
      const { manager, session } = await loggedIn();
      session.destroy(options);
      assert.equal(headerOf((await manager.commit(session)).headers), undefined);
    }
  });

  it('SM-30 a new session started after the destroy (a flash message) keeps its cookie: "cookies" is left out, and alone it sends nothing', async () => {
    const { manager, session } = await loggedIn();
    session.destroy({ clearSiteData: true });
    session.set('flash', 'Logged out');
    const { headers, setCookie } = await manager.commit(session);
    assert.equal(headerOf(headers), '"cache", "storage"');
    assert.ok(setCookie.some((c) => !c.includes('Max-Age=0')), 'the new session cookie');
    const again = await loggedIn();
    again.session.destroy({ clearSiteData: ['cookies'] });
    again.session.set('flash', 'Logged out');
    assert.equal(headerOf((await again.manager.commit(again.session)).headers), undefined);
  });

  it('SM-30 with the header transport "cookies" stays: the new token travels in a header', async () => {
    const { manager, session } = await loggedIn({ transport: { header: {} } });
    session.destroy({ clearSiteData: true });
    session.set('flash', 'Logged out');
    assert.equal(headerOf((await manager.commit(session)).headers), ALL);
  });

  it('SM-30 a visitor with no stored session who logs out still gets the header (and no-store), and nothing is written', async () => {
    const manager = createSessionManager({ secrets: SECRET });
    const session = await manager.load(undefined);
    session.destroy({ clearSiteData: true });
    const { headers, setCookie } = await manager.commit(session);
    assert.deepEqual(headers, [['clear-site-data', ALL], ['cache-control', 'no-store']]);
    assert.deepEqual(setCookie, []);
  });

  it('a bad clearSiteData is ERR_SESSION_CONFIG and leaves the session alive; a callback is still refused', async () => {
    const { manager, session, cookie } = await loggedIn();
    // eslint-disable-next-line no-sparse-arrays -- a sparse array, whose hole every() would skip
    for (const bad of [['cookie'], 'cookies', 1, [null], [, 'cache']]) {
      assert.throws(() => session.destroy({ clearSiteData: bad as never }), (e: unknown) => isSessionError(e, 'ERR_SESSION_CONFIG'));
    }
    assert.equal(session.get('userId'), 'ada');
    assert.throws(() => (session.destroy as (cb: () => void) => void)(() => {}), (e: unknown) => isSessionError(e, 'ERR_SESSION_UNSUPPORTED'));
    assert.equal((await manager.load(cookie)).get('userId'), 'ada');
  });

  it('property: clearSiteDataOf gives known kinds, each once, or throws ERR_SESSION_CONFIG; never anything else', () => {
    const known = ['cache', 'cookies', 'storage', 'executionContexts', 'clientHints', 'prefetchCache', 'prerenderCache'];
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.array(fc.constantFrom(...known, '*', 'Cookies', '')), fc.sparseArray(fc.constantFrom(...known)), fc.boolean()), (value) => {
        let kinds: readonly string[] | undefined;
        try {
          kinds = clearSiteDataOf({ clearSiteData: value as never });
        } catch (error) {
          assert.ok(isSessionError(error, 'ERR_SESSION_CONFIG'));
          return;
        }
        if (kinds === undefined) return;
        assert.ok(kinds.length > 0 && kinds.every((k) => known.includes(k)));
        assert.equal(new Set(kinds).size, kinds.length);
      }),
      { numRuns: 2000 },
    );
  });
});
