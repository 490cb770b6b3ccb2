import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSessionManager } from '../manager.js';
import { MemoryStore } from '../memory-store.js';
import { isSessionError } from '../errors.js';
import type { SessionEvent } from '../events.js';

const SECRET = 'store-commit-test-secret-0123456789abcdef';

/** A store whose record changes under every compare-and-set: another writer that never stops. */
class EverChangingStore extends MemoryStore {
  writes = 0;
  override async setIf(key: string, value: string, expiresAt: number, previous: string | undefined): Promise<boolean> {
    const current = await this.get(key);
    if (current !== undefined) {
      const record = JSON.parse(current) as { d: Record<string, unknown> };
      record.d.other = ++this.writes;
      await this.set(key, JSON.stringify(record), expiresAt);
    }
    return super.setIf(key, value, expiresAt, previous);
  }
}

describe('compare-and-set commits', () => {
  it('retries are bounded: a record that keeps changing fails the commit with ERR_SESSION_CONFLICT', async () => {
    const store = new EverChangingStore();
    const events: SessionEvent[] = [];
    const manager = createSessionManager({ secrets: SECRET, store, maxCommitRetries: 3, onEvent: (e) => events.push(e) });
    const s = await manager.load(undefined);
    s.set('a', 1);
    const cookie = (await manager.commit(s)).setCookie[0]!.split(';')[0]!;
    const loaded = await manager.load(cookie);
    loaded.set('a', 2);
    await assert.rejects(manager.commit(loaded), (e) => isSessionError(e, 'ERR_SESSION_CONFLICT'));
    assert.equal(events.filter((e) => e.type === 'conflict').length, 3);
  });

  it('a conflicting commit keeps the other writer\'s keys and re-runs update() on the fresh value', async () => {
    const store = new MemoryStore();
    const manager = createSessionManager({ secrets: SECRET, store });
    const s = await manager.load(undefined);
    s.set('n', 1);
    const cookie = (await manager.commit(s)).setCookie[0]!.split(';')[0]!;
    const first = await manager.load(cookie);
    const second = await manager.load(cookie);
    first.update('n', (n) => (n as number) + 1);
    first.set('fromFirst', true);
    second.update('n', (n) => (n as number) + 10);
    second.set('fromSecond', true);
    await manager.commit(first);
    await manager.commit(second);
    const final = await manager.load(cookie);
    assert.deepEqual(final.toJSON(), { n: 12, fromFirst: true, fromSecond: true });
  });

  it('a plain set() on the same key is last-write-wins, as documented', async () => {
    const manager = createSessionManager({ secrets: SECRET, store: new MemoryStore() });
    const s = await manager.load(undefined);
    s.set('theme', 'light');
    const cookie = (await manager.commit(s)).setCookie[0]!.split(';')[0]!;
    const a = await manager.load(cookie);
    const b = await manager.load(cookie);
    a.set('theme', 'dark');
    b.set('theme', 'blue');
    await manager.commit(a);
    await manager.commit(b);
    assert.equal((await manager.load(cookie)).get('theme'), 'blue');
  });
});
