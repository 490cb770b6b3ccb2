import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../testing/fake-clock.js';
import { createSessionManager } from '../manager.js';
import { OLD_SECRET, SECRET } from './test-setup.js';

describe('cookie mode: key rotation', () => {
  it('11.2.2 a cookie sealed with an older key opens and is re-sealed with the current key on that response', async () => {
    const clock = new FakeClock();
    const old = createSessionManager({ mode: 'cookie', secrets: OLD_SECRET, clock });
    const rotated = createSessionManager({ mode: 'cookie', secrets: [SECRET, OLD_SECRET], clock });
    const current = createSessionManager({ mode: 'cookie', secrets: SECRET, clock });
    const s = await old.load(undefined);
    s.set('userId', 'bob');
    const oldCookie = (await old.commit(s)).setCookie[0]!.split(';')[0]!;
    const loaded = await rotated.load(oldCookie);
    assert.equal(loaded.get('userId'), 'bob');
    assert.equal(loaded.id, s.id, 'same session');
    const { setCookie } = await rotated.commit(loaded);
    assert.equal(setCookie.length, 1, 're-sealed although nothing changed');
    const resealed = setCookie[0]!.split(';')[0]!;
    assert.equal((await current.load(resealed)).get('userId'), 'bob');
    assert.equal((await current.load(oldCookie)).isNew, true, 'once the old key is removed, its cookies are rejected');
    const again = await rotated.load(resealed);
    assert.deepEqual((await rotated.commit(again)).setCookie, [], 'no further re-seal');
  });
});
