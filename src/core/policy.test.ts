import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSessionError } from './errors.js';
import { expiryOf, planCommit } from './policy.js';
import type { CommitPlan, PlanInput } from './policy.js';

// One test per row of DESIGN.md's commit table, for each mode: planCommit is the only place
// those rules live.
const RULES = { lifetimeMs: 12 * 3600_000, idleMs: 1800_000, touchAfterMs: 60_000 };
const NOW = 1_000_000_000_000;
const ID = 'a'.repeat(43);

const stored = (sealed: boolean, over: Partial<PlanInput> = {}): PlanInput => ({
  status: 'unchanged',
  id: ID,
  loadedId: ID,
  empty: false,
  touched: false,
  changed: false,
  lastSeenAt: NOW - 1_000,
  persistent: false,
  loadedPersistent: false,
  clearCookie: false,
  reissue: false,
  headersSent: false,
  sentId: undefined,
  sealed,
  carrierDue: false,
  forwarded: false,
  renewDue: false,
  streaming: false,
  ...over,
});
const fresh = (sealed: boolean, over: Partial<PlanInput> = {}): PlanInput => stored(sealed, { loadedId: undefined, loadedPersistent: undefined, empty: true, lastSeenAt: NOW, ...over });
const plan = (write: CommitPlan['write'], cookie: CommitPlan['cookie'], replaces = false, renew = false): CommitPlan => ({ write, cookie, replaces, renew });

for (const sealed of [false, true]) {
  const mode = sealed ? 'sealed-cookie mode' : 'store mode';
  describe(`planCommit, ${mode}: DESIGN.md's commit table`, () => {
    it('new, unchanged: nothing stored, no cookie (an unusable incoming cookie is cleared)', () => {
      assert.deepEqual(planCommit(fresh(sealed), RULES, NOW), plan('none', 'none'));
      assert.deepEqual(planCommit(fresh(sealed, { clearCookie: true }), RULES, NOW), plan('none', 'clear'));
      assert.deepEqual(planCommit(fresh(sealed, { status: 'modified', empty: true }), RULES, NOW), plan('none', 'none'), 'set then deleted');
    });

    it('existing, unchanged: nothing until the idle refresh is due, then a touch', () => {
      assert.deepEqual(planCommit(stored(sealed), RULES, NOW), plan('none', 'none'));
      const due = stored(sealed, { lastSeenAt: NOW - RULES.touchAfterMs });
      assert.deepEqual(planCommit(due, RULES, NOW), plan('touch', sealed ? 'set' : 'none'), sealed ? 're-sealed' : 'expiry only, no cookie');
      assert.deepEqual(planCommit(stored(sealed, { lastSeenAt: 0 }), { ...RULES, idleMs: Infinity }, NOW), plan('none', 'none'), 'no idle timeout: never touched');
      if (!sealed) assert.deepEqual(planCommit({ ...due, persistent: true, loadedPersistent: true }, RULES, NOW), plan('touch', 'set'), 'remember-me: Max-Age refreshed');
    });

    it('modified: written, with a cookie when one is needed', () => {
      assert.deepEqual(planCommit(stored(sealed, { status: 'modified', changed: true }), RULES, NOW), plan('update', sealed ? 'set' : 'none'));
      assert.deepEqual(planCommit(stored(sealed, { status: 'modified', changed: false }), RULES, NOW), plan('none', 'none'), 'same encoding: no write');
      assert.deepEqual(planCommit(fresh(sealed, { status: 'modified', empty: false }), RULES, NOW), plan('create', 'set'), 'a new session with data');
      assert.deepEqual(planCommit(stored(sealed, { status: 'modified', changed: true, persistent: true }), RULES, NOW), plan('update', 'set'), 'remember-me turned on');
    });

    it('regenerated: the new record written, the old one replaced, a cookie for the new ID', () => {
      const regenerated = stored(sealed, { status: 'regenerated', id: 'b'.repeat(43) });
      assert.deepEqual(planCommit(regenerated, RULES, NOW), plan('create', 'set', true));
    });

    it('destroyed: deleted, cookie cleared; never stored: only an unusable cookie cleared', () => {
      assert.deepEqual(planCommit(stored(sealed, { status: 'destroyed' }), RULES, NOW), plan('delete', 'clear'));
      assert.deepEqual(planCommit(fresh(sealed, { status: 'destroyed' }), RULES, NOW), plan('none', 'none'));
      assert.deepEqual(planCommit(stored(sealed, { status: 'destroyed', headersSent: true }), RULES, NOW), plan('delete', 'none'), 'too late for the cookie');
    });

    it('read with an old key of the keyring: the cookie is re-issued under the current key', () => {
      assert.deepEqual(planCommit(stored(sealed, { reissue: true }), RULES, NOW), sealed ? plan('touch', 'set') : plan('none', 'set'));
    });

    it('after the headers left: a change needing another cookie is refused, a due refresh waits', () => {
      const late = { headersSent: true, sentId: ID };
      const refused = (input: PlanInput): void => assert.throws(() => planCommit(input, RULES, NOW), (e: unknown) => isSessionError(e, 'ERR_SESSION_HEADERS_SENT'));
      refused(stored(sealed, { ...late, status: 'regenerated', id: 'b'.repeat(43) }));
      if (sealed) refused(stored(sealed, { ...late, status: 'modified', changed: true }));
      else assert.deepEqual(planCommit(stored(sealed, { ...late, status: 'modified', changed: true }), RULES, NOW), plan('update', 'none'), 'the cookie sent names this ID');
      assert.deepEqual(planCommit(stored(sealed, { ...late, lastSeenAt: 0, persistent: sealed, loadedPersistent: sealed }), RULES, NOW), sealed ? plan('none', 'none') : plan('touch', 'none'));
    });
  });
}

describe('planCommit, rows of one mode only', () => {
  it('periodic renewal: a create under the renewed ID, never while streaming or after the headers', () => {
    assert.deepEqual(planCommit(stored(false, { renewDue: true }), RULES, NOW), plan('create', 'set', false, true));
    assert.deepEqual(planCommit(stored(false, { renewDue: true, streaming: true }), RULES, NOW), plan('none', 'none'));
  });

  it("a session reached through a renewed ID's forward never re-sends the old ID", () => {
    assert.deepEqual(planCommit(stored(false, { forwarded: true, status: 'modified', changed: true, persistent: true, loadedPersistent: true }), RULES, NOW), plan('update', 'none'));
  });

  it('sealed mode re-seals for its own reasons (a recorded revocation check)', () => {
    assert.deepEqual(planCommit(stored(true, { carrierDue: true }), RULES, NOW), plan('touch', 'set'));
  });
});

describe('expiryOf', () => {
  it('is the earlier of the absolute and the idle deadline', () => {
    assert.equal(expiryOf(RULES, { createdAt: 0, lastSeenAt: 0 }), RULES.idleMs);
    assert.equal(expiryOf(RULES, { createdAt: 0, lastSeenAt: RULES.lifetimeMs }), RULES.lifetimeMs);
    assert.equal(expiryOf({ ...RULES, idleMs: Infinity }, { createdAt: 5, lastSeenAt: 10 }), 5 + RULES.lifetimeMs);
  });
});
