import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSessionError } from './errors.js';
import { createSessionManager } from './manager.js';
import { MemoryStore } from './memory-store.js';
import type { ManagerOptions } from './options.js';

const SECRET = 'mode-options-test-secret-0123456789abcdef';
const make = (options: object) => () => createSessionManager({ secrets: SECRET, ...options } as ManagerOptions);

describe('options of one mode only', () => {
  it("the sealed-mode options are refused in store mode, saying they apply to mode: 'cookie' (a forgotten mode)", () => {
    for (const option of [{ maxCookieBytes: 6000 }, { revocationStore: new MemoryStore() }, { revocationCheckAfter: 30 }]) {
      assert.throws(make(option), (e: unknown) => isSessionError(e, 'ERR_SESSION_CONFIG') && /applies to mode: 'cookie' only/.test((e as Error).message), Object.keys(option)[0]);
    }
  });

  it('revocationCheckAfter without a revocationStore is refused: it would do nothing', () => {
    assert.throws(make({ mode: 'cookie', revocationCheckAfter: 30 }), /revocationCheckAfter has no effect without a revocationStore/);
    assert.doesNotThrow(make({ mode: 'cookie', revocationCheckAfter: 30, revocationStore: new MemoryStore() }));
  });
});
