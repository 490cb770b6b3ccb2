import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { sessionProtocol } from '../protocol.js';
import { NAME, noise, setup } from './test-setup.js';

describe('cookie mode: fuzzing the cookie header', () => {
  it('S-4 arbitrary headers with session and chunk names never throw and never load a session', async () => {
    const { manager } = setup({ maxCookieBytes: 32 * 1024 });
    const name = fc.constantFrom(NAME, `${NAME}.0`, `${NAME}.1`, `${NAME}.2`, `${NAME}.9`, `${NAME}.`, '__host-sid', 'x');
    const value = fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('2.', '3.AAAA', '99.A', '1.A', '02.AB', ''));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(name, value), { maxLength: 8 }), async (pairs) => {
        const session = await manager.load(pairs.map(([n, v]) => `${n}=${v}`).join('; '));
        assert.equal(session.isNew, true);
        sessionProtocol(manager).prepare(session);
      }),
      { numRuns: 3000 },
    );
  });

  it('S-5 a mutated chunk in a 3-chunk set is never accepted', async () => {
    const { request, jar, manager } = setup({ maxCookieBytes: 32 * 1024 });
    await request((s) => s.set('blob', noise(7000)));
    const names = jar.names();
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(2), fc.nat(), fc.integer({ min: 0, max: 5 }), async (which, at, bit) => {
        const values = names.map((n) => jar.cookies.get(n)!);
        const target = values[which]!;
        const i = at % target.length;
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        const index = alphabet.indexOf(target[i]!);
        const replaced = index === -1 ? 'A' : alphabet[(index ^ (1 << bit)) % 64]!;
        if (replaced === target[i]) return;
        values[which] = target.slice(0, i) + replaced + target.slice(i + 1);
        const session = await manager.load(names.map((n, k) => `${n}=${values[k]}`).join('; '));
        if (!session.isNew) accepted++;
      }),
      { numRuns: 5000 },
    );
    assert.equal(accepted, 0);
  });
});
