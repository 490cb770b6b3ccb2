import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSessionError } from '../index.js';
import { addEntry, entryOfManager, requireEntry } from './request-entries.js';
import type { ManagerEntry } from './request-entries.js';

interface Entry extends ManagerEntry<Entry> {
  readonly label: string;
}

describe('adapter request entries (one entry per manager on a request)', () => {
  it('the first entry holds the further ones; each is found by its manager, the first without one', () => {
    const [a, b, c] = [{}, {}, {}];
    const ea: Entry = { manager: a, label: 'a' };
    const eb: Entry = { manager: b, label: 'b' };
    let first = addEntry(undefined, ea);
    assert.equal(first, ea);
    first = addEntry(first, eb);
    assert.equal(first, ea, 'the first entry stays first');
    assert.deepEqual(first.others?.map((e) => e.label), ['b']);
    assert.equal(entryOfManager(first, b), eb);
    assert.equal(entryOfManager(first, a), ea);
    assert.equal(entryOfManager(first, undefined), ea);
    assert.equal(entryOfManager(first, c), undefined);
    assert.equal(entryOfManager(undefined, a), undefined);
  });

  it('requireEntry: the entry, or ERR_SESSION_NOT_LOADED naming the missing middleware', () => {
    const entry: Entry = { manager: {}, label: 'x' };
    assert.equal(requireEntry(entry), entry);
    assert.throws(() => requireEntry(undefined), (error: unknown) => isSessionError(error) && error.code === 'ERR_SESSION_NOT_LOADED' && /mount the session\(\) middleware/.test(error.message));
  });
});
