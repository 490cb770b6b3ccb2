import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sessionProtocol } from '../protocol.js';
import { isSessionError } from '../errors.js';
import { NAME, noise, setup } from './test-setup.js';

describe('cookie mode: chunking and size limits', () => {
  for (const [chunks, dataChars] of [
    [1, 2000],
    [2, 5000],
    [5, 14000],
  ] as const) {
    it(`3.3.5 ${chunks} chunk(s): every cookie within 4096 bytes, read back in order`, async () => {
      const { request, jar } = setup({ maxCookieBytes: 32 * 1024 });
      const blob = noise(dataChars);
      const { setCookie } = await request((s) => s.set('blob', blob));
      assert.equal(setCookie.length, chunks);
      for (const header of setCookie) {
        const pair = header.split(';')[0]!;
        assert.ok(Buffer.byteLength(pair) - 1 <= 4096, `${pair.length} bytes`);
        assert.match(header, /; Path=\/; HttpOnly; Secure; SameSite=Lax$/, 'chunks keep the attributes, so the __Host- rules');
      }
      assert.deepEqual(jar.names(), chunks === 1 ? [NAME] : Array.from({ length: chunks }, (_, i) => `${NAME}.${i}`));
      await request((s) => assert.equal(s.get('blob'), blob));
    });
  }

  it('shrinking back: 5 chunks, then 2, then 1 cookie; the stale chunks are cleared', async () => {
    const { request, jar } = setup({ maxCookieBytes: 32 * 1024 });
    await request((s) => s.set('blob', noise(14000)));
    assert.equal(jar.names().length, 5);
    const two = await request((s) => s.set('blob', noise(5000)));
    assert.deepEqual(jar.names(), [`${NAME}.0`, `${NAME}.1`]);
    assert.equal(two.setCookie.filter((c) => /Max-Age=0/.test(c)).length, 3);
    const one = await request((s) => s.set('blob', 'small'));
    assert.deepEqual(jar.names(), [NAME]);
    assert.equal(one.setCookie.filter((c) => /Max-Age=0/.test(c)).length, 2);
    await request((s) => assert.equal(s.get('blob'), 'small'));
    const grow = await request((s) => s.set('blob', noise(5000)));
    assert.deepEqual(jar.names(), [`${NAME}.0`, `${NAME}.1`]);
    assert.ok(grow.setCookie.some((c) => c.startsWith(`${NAME}=;`)), 'the single cookie is cleared when chunks take over');
  });

  it('stale chunks next to a valid single cookie are cleared without losing the session', async () => {
    const { request, jar } = setup({ maxCookieBytes: 32 * 1024 });
    await request((s) => s.set('blob', 'small'));
    jar.cookies.set(`${NAME}.0`, '2.leftover');
    jar.cookies.set(`${NAME}.1`, 'leftover');
    const res = await request((s) => assert.equal(s.get('blob'), 'small'));
    assert.equal(res.setCookie.length, 2);
    assert.deepEqual(jar.names(), [NAME]);
  });

  it('SM-20 a chunked session with a single cookie of another session beside it (tossing): neither is used', async () => {
    const { request, jar, manager, events } = setup({ maxCookieBytes: 32 * 1024 });
    await request((s) => s.set('blob', noise(7000)));
    const victim = jar.header();
    const tossed = await manager.load(undefined);
    tossed.set('user', 'attacker');
    const single = (await manager.commit(tossed)).setCookie[0]!.split(';')[0]!;
    for (const header of [`${single}; ${victim}`, `${victim}; ${single}`]) {
      const session = await manager.load(header);
      assert.equal(session.isNew, true);
      const { setCookie } = await manager.commit(session);
      assert.equal(setCookie.filter((c) => /Max-Age=0/.test(c)).length, 4, 'the single cookie and the three chunks are cleared');
    }
    assert.equal(events.filter((e) => e.type === 'duplicate_cookie').length, 2);
    // The same session under both layouts (a clear the browser missed) is no rival.
    const resealed = await manager.load(victim);
    resealed.set('blob', 'small now');
    const shrunk = (await manager.commit(resealed)).setCookie.find((c) => !/Max-Age=0/.test(c))!.split(';')[0]!;
    assert.equal((await manager.load(`${shrunk}; ${victim}`)).get('blob'), 'small now');
  });

  it('missing, reordered, truncated, duplicated or extra chunks fail closed to a fresh session', async () => {
    const { request, jar, manager } = setup({ maxCookieBytes: 32 * 1024 });
    await request((s) => s.set('blob', noise(7000)));
    const parts = jar.names().map((n) => [n, jar.cookies.get(n)!] as const);
    assert.equal(parts.length, 3);
    const render = (list: ReadonlyArray<readonly [string, string]>) => list.map(([n, v]) => `${n}=${v}`).join('; ');
    const [c0, c1, c2] = parts as unknown as [readonly [string, string], readonly [string, string], readonly [string, string]];
    const variants = [
      render([c0, c1]),
      render([c0, c2]),
      render([c1, c2]),
      render([c0, [c1[0], c2[1]], [c2[0], c1[1]]]),
      render([c0, c1, [c2[0], c2[1].slice(0, -10)]]),
      render([[c0[0], c0[1].replace(/^3\./, '2.')], c1, c2]),
      render([[c0[0], c0[1].replace(/^3\./, '4.')], c1, c2, [`${NAME}.3`, 'AAAA']]),
      render([c0, c1, c2, c1]),
      render([c0, c1, c2, [NAME, c0[1]]]),
      render([[c0[0], c0[1] + c1[1] + c2[1]]]),
      render([[NAME, c0[1].slice(2) + c1[1] + c2[1]]]),
    ];
    for (const header of variants) {
      const session = await manager.load(header);
      assert.equal(session.isNew, true, header.slice(0, 80));
      const { setCookie } = await manager.commit(session);
      assert.ok(setCookie.length > 0 && setCookie.every((c) => /Max-Age=0/.test(c)), 'every session cookie sent is cleared');
    }
    assert.equal((await manager.load(render(parts))).get('blob')?.toString().length, 7000, 'the intact set still opens');
  });

  it('ERR_SESSION_COOKIE_TOO_LARGE from prepare(), before any header, instead of silent loss', async () => {
    const { manager, jar, request } = setup({ maxCookieBytes: 8192 });
    await request((s) => s.set('blob', noise(5000)));
    const session = await manager.load(jar.header());
    session.set('blob', noise(9000));
    assert.throws(
      () => sessionProtocol(manager).prepare(session),
      (e: unknown) => isSessionError(e, 'ERR_SESSION_COOKIE_TOO_LARGE') && /maxCookieBytes \(8192\)/.test((e as Error).message),
    );
    session.set('blob', 'fits again');
    assert.equal(sessionProtocol(manager).prepare(session).headers.filter(([n]) => n === 'set-cookie').length, 3, 'the session cookie plus two clears of the old chunks');
  });

  it('default limit: 8 192 bytes', async () => {
    const { request } = setup();
    await request((s) => s.set('blob', noise(5500)));
    await assert.rejects(
      request((s) => s.set('blob', noise(8200))),
      (e: unknown) => isSessionError(e, 'ERR_SESSION_COOKIE_TOO_LARGE'),
    );
  });
});
