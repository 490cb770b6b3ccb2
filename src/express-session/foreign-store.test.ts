import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { adoptStore } from './foreign-store.js';
import { MemoryStore } from './memory-store.js';
import { Store } from './store.js';
import type { StoreMethods } from './session.js';

const methods: StoreMethods = { get: (_sid, cb) => cb(null, null), set: (_sid, _s, cb) => cb?.(), destroy: (_sid, cb) => cb?.() };

/** Another express-session's Store base, as connect-redis brings it: a class named Store with its own methods. */
class OtherStore extends EventEmitter {
  regenerate(): void {}
  load(): void {}
  createSession(): unknown {
    return 'theirs';
  }
}
Object.defineProperty(OtherStore, 'name', { value: 'Store' });

describe('express-session compat: stores built on another express-session', () => {
  it("gives a store on another Store base this package's regenerate, load and createSession", () => {
    class RedisLike extends OtherStore {}
    Object.assign(RedisLike.prototype, methods);
    const store = adoptStore(new RedisLike() as unknown as StoreMethods);
    for (const name of ['regenerate', 'load', 'createSession'] as const) assert.equal(store[name], Store.prototype[name], name);
  });

  it("keeps what the store's own class or the store object defines, and leaves this package's stores alone", () => {
    class Custom extends OtherStore {
      override createSession(): unknown {
        return 'custom';
      }
    }
    Object.assign(Custom.prototype, methods);
    const custom = adoptStore(new Custom() as unknown as StoreMethods);
    assert.equal(custom.createSession.call(custom, {} as never, {} as never), 'custom');
    assert.equal(custom.load, Store.prototype.load);
    const own = Object.assign(new OtherStore(), methods, { load: () => 'own' });
    assert.equal((adoptStore(own as unknown as StoreMethods).load as () => unknown)(), 'own');
    const ours = new MemoryStore();
    const before = Object.getOwnPropertyNames(ours);
    assert.equal(adoptStore(ours), ours);
    assert.deepEqual(Object.getOwnPropertyNames(ours), before, 'nothing assigned');
  });

  it('supplies the methods a bare object with get, set and destroy lacks', () => {
    const store = adoptStore({ ...methods });
    assert.equal(store.createSession, Store.prototype.createSession);
  });
});
